import { enclaveContract } from "./contract.ts";

enclaveContract("container");
