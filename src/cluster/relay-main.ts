// The relay's process: what the driver's node runs for a component placed on another node (relay.ts).
import { runRelay } from "./relay.ts";

runRelay();
