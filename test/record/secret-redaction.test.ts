import assert from "node:assert/strict";
import { test } from "node:test";
import { REDACTED } from "../../src/enclave/environment-description.ts";
import { redactSecrets } from "../../src/record/secret-redaction.ts";

test("secrets are redacted by name and by shape; everything else is kept as it is", () => {
  const redacted = redactSecrets({
    AWS_SECRET_ACCESS_KEY: "abc",
    GITHUB_TOKEN: "abc",
    DB_PASSWD: "abc",
    NPM_AUTH: "abc",
    SSH_PRIVATE: "abc",
    SOMETHING: "ghp_0123456789abcdefghijklmnopqrstuvwxyz",
    OTHER: "AKIAABCDEFGHIJKLMNOP",
    DATABASE_URL: "postgres://user:hunter2@db.example:5432/x",
    OMP_NUM_THREADS: "1",
    CONFLUX_SEED: "42",
    PATH: "/usr/bin:/bin",
  });
  for (const name of [
    "AWS_SECRET_ACCESS_KEY",
    "GITHUB_TOKEN",
    "DB_PASSWD",
    "NPM_AUTH",
    "SSH_PRIVATE",
    "SOMETHING",
    "OTHER",
  ]) {
    assert.equal(redacted[name], REDACTED, name);
  }
  assert.equal(redacted.DATABASE_URL, `postgres://user:${REDACTED}@db.example:5432/x`);
  assert.equal(redacted.OMP_NUM_THREADS, "1");
  assert.equal(redacted.CONFLUX_SEED, "42");
  assert.equal(redacted.PATH, "/usr/bin:/bin");
});
