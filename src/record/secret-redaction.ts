// Environments go into run records, and records get archived and published,
// so secrets are replaced before anything is written: by the variable's name
// (the enclave layer already catches SECRET, TOKEN, PASSWORD and KEY; this
// adds the other usual names) and by the value's shape (credentials inside a
// URL, the prefixes well-known services give their tokens).
import { REDACTED, SECRET_NAME } from "../enclave/environment-description.ts";

const SECRET_NAMES = [SECRET_NAME, /(PASSWD|PASSPHRASE|CREDENTIAL|AUTH|PRIVATE|COOKIE|SIGNATURE|CERT|_PAT$)/i];
/** Token prefixes of common services (GitHub, GitLab, Slack, AWS, npm, OpenAI-style keys) and JWTs. */
const SECRET_VALUE =
  /^(gh[pousr]_|github_pat_|glpat-|xox[abprs]-|AKIA[0-9A-Z]{12}|npm_[A-Za-z0-9]{20}|sk-[A-Za-z0-9_-]{16}|eyJ[A-Za-z0-9_-]{10,}\.)/;
/** scheme://user:password@host — the password goes, the rest stays useful. */
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)[^/\s@]+@/gi;

export function isSecretName(name: string): boolean {
  return SECRET_NAMES.some((pattern) => pattern.test(name));
}

export function redactSecrets(environment: Readonly<Record<string, string>>): Record<string, string> {
  const redacted: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    if (isSecretName(name) || SECRET_VALUE.test(value)) redacted[name] = REDACTED;
    else redacted[name] = value.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
  }
  return redacted;
}
