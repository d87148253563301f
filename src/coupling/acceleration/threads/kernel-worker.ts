// The entry a kernel team's worker loads: it serves the column kernels until the team stops.
import { COLUMN_KERNELS } from "./column-kernel-table.ts";
import { serveKernels } from "./kernel-team.ts";

serveKernels(COLUMN_KERNELS);
