// appA of the talk: computes temperature, receives appB's flux.
import { runSeedApp } from "./run-seed-app.ts";

runSeedApp("temperature");
