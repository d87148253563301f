// The time API of the C client under AddressSanitizer and UndefinedBehaviorSanitizer: the cases of time-api-cases.ts.
import { sanitizedCClient, timeApiTests } from "./time-api-cases.ts";

timeApiTests([sanitizedCClient()]);
