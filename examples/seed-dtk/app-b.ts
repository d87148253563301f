// appB of the talk: computes flux, receives appA's temperature.
import { runSeedApp } from "./run-seed-app.ts";

runSeedApp("flux");
