// The C fixtures of the VM tests, built statically for a guest.
import { fileURLToPath } from "node:url";
import { guestProgram } from "../../../src/enclave/vm/image/guest-program.ts";

export function guestFixture(name: string): string {
  return guestProgram(name, [fileURLToPath(new URL(`./fixtures/${name}.c`, import.meta.url))]);
}
