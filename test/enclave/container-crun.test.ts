// The contract, with crun as the runtime of every container launch that names
// none (the supervisor fixture's too: it inherits the variable).
import { after } from "node:test";
import { CONTAINER_RUNTIME_VARIABLE } from "../../src/enclave/container-settings.ts";
import { removeStaleState } from "../../src/enclave/oci-runtime.ts";
import { enclaveContract } from "./contract.ts";

process.env[CONTAINER_RUNTIME_VARIABLE] = "crun";
enclaveContract("container");

// A supervisor killed with SIGKILL takes its crun along, and crun's state with nobody to remove it.
after(removeStaleState);
