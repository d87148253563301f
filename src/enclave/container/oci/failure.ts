// crun's error lines, the wrapper's and the container init's, turned into messages that say what to
// do. Only phrases these programs print are matched, so a component's own
// error output is never mistaken for a runtime failure.

interface Reading {
  pattern: RegExp;
  explain(match: RegExpExecArray, stackLabel: string): string;
}

const READINGS: Reading[] = [
  {
    pattern: /cgroups in hybrid mode not supported/,
    explain: () =>
      "crun refuses this machine's hybrid cgroup layout, and the workaround (unmounting the cgroup2 tree in a private mount namespace) did not apply; run as root, or use runtime bubblewrap",
  },
  {
    pattern: /^(?:umount|unshare): .*(?:must be superuser|Operation not permitted|[Pp]ermission denied).*$/m,
    explain: (match) =>
      `crun needs root here (the cgroup workaround makes a mount namespace): ${match[0]}; run as root, or use runtime bubblewrap, which needs no root`,
  },
  {
    pattern:
      /^.*(?:cannot (?:create|open|write|enter) cgroup|cgroup.*(?:Permission denied|Read-only file system|No such file)).*$/im,
    explain: (match) =>
      `crun could not set up the container's cgroup (${match[0].trim()}); \`conflux doctor\` checks whether crun works on this machine`,
  },
  {
    pattern: /executable file `([^`]+)` not found/,
    explain: (match, stack) =>
      `the program ${match[1]} is not in ${stack}; add the package that provides it to the stack`,
  },
  {
    pattern: /exec container process `([^`]+)`: (.*)/,
    explain: (match, stack) =>
      `the container could not start ${match[1]} in ${stack}: ${match[2]} (a program for this machine, with its interpreter and libraries in the stack?)`,
  },
  {
    pattern: /error stat'ing file `([^`]+)`: No such file or directory/,
    explain: (match) => `${match[1]}, which the container binds in, does not exist`,
  },
  {
    pattern: /^(?:pivot_root|chroot|mount `[^`]*`.*|open `[^`]*`.*): .*$/m,
    explain: (match, stack) => `crun could not set up the root filesystem of ${stack}: ${match[0]}`,
  },
  {
    pattern: /^(?:crun: )?(?:error|cannot) .*$/m,
    explain: (match) => `crun failed: ${match[0].replace(/^crun: /, "")}`,
  },
];

export function explainCrun(stderr: string, stackLabel: string): string | undefined {
  for (const reading of READINGS) {
    const match = reading.pattern.exec(stderr);
    if (match !== null) return reading.explain(match, stackLabel);
  }
  return undefined;
}
