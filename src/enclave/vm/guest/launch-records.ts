// The launch as the guest agent reads it from the arena: records of one tag
// byte and a NUL-terminated UTF-8 value, in a form a few lines of C can parse
// (docs/vm.md, "Launch records"). Nothing here is in the image, so an image
// is reused across launches that differ only in arguments or environment.

export interface GuestLaunch {
  /** The program and its arguments; argv[0] is an absolute path in the guest. */
  argv: readonly string[];
  env: Readonly<Record<string, string>>;
  cwd: string;
  /** The run directory to lay out in the guest, with the files that reach it as PCI devices. */
  run?: { directory: string; ownerJson: string; files: readonly { pciAddress: string; fileName: string }[] };
  /** Guest CPUs to pin the component to (the same numbers as on the host). */
  cpus?: readonly number[];
}

const encoder = new TextEncoder();

export function encodeLaunch(launch: GuestLaunch): Uint8Array {
  const records: string[] = [];
  const add = (tag: string, value: string) => {
    if (value.includes("\0")) throw new Error(`a launch value cannot hold a NUL character: ${JSON.stringify(value)}`);
    records.push(`${tag}${value}\0`);
  };
  for (const argument of launch.argv) add("a", argument);
  for (const [key, value] of Object.entries(launch.env)) add("e", `${key}=${value}`);
  add("d", launch.cwd);
  if (launch.run !== undefined) {
    add("r", launch.run.directory);
    add("o", launch.run.ownerJson);
    for (const file of launch.run.files) add("f", `${file.pciAddress} ${file.fileName}`);
  }
  for (const cpu of launch.cpus ?? []) add("c", String(cpu));
  return encoder.encode(`${records.join("")}\0`);
}
