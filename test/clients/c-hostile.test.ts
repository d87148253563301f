// The C client, built as a component builds it, against a hostile peer
// (hostile-c-cases.ts).
import { hostileCTests } from "./hostile-c-cases.ts";
import { plainBuild } from "./toolchain.ts";

hostileCTests(plainBuild());
