// The time API of the Python client, with numpy and without: the cases of time-api-cases.ts.
import { pythonClients, timeApiTests } from "./time-api-cases.ts";

timeApiTests([...pythonClients()]);
