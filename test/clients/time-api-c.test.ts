// The time API of the C client: the cases of time-api-cases.ts.
import { cClient, timeApiTests } from "./time-api-cases.ts";

timeApiTests([cClient()]);
