// The module a mapping worker thread runs: it serves the operator tasks.
import { serveTeamTasks } from "../threads/thread-team.ts";
import { OPERATOR_TASKS } from "./operator-tasks.ts";

serveTeamTasks(OPERATOR_TASKS);
