// The time API of the TypeScript SDK: the cases of time-api-cases.ts.
import { timeApiTests, typescriptClient } from "./time-api-cases.ts";

timeApiTests([typescriptClient()]);
