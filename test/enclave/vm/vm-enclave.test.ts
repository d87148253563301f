// The enclave contract for VM enclaves, with real QEMU guests (TCG here: KVM
// does not run guests on these machines). Each test boots its own guest, so
// they run two at a time to stay within the runner's time per file.
import { describe } from "node:test";
import { guestWaitMs, observeGuestStart } from "../../support/guest-start.ts";
import { enclaveContract } from "../contract.ts";

describe("vm enclave contract", { concurrency: 2 }, () => {
  // A supervisor's guest boots before its component prints: the wait for it is
  // derived from a guest's start measured in this file (test/support/guest-start.ts).
  enclaveContract("vm", {
    supervisorStart: { waitMs: (t) => guestWaitMs(t), observe: observeGuestStart },
  });
});
