// One thing this host must provide for some feature, as checked for real, and
// how to get it when it is missing: what `conflux doctor` prints a line of.

export interface Requirement {
  what: string;
  ok: boolean;
  detail: string;
  /** How to get it when it is missing. */
  fix?: string;
}
