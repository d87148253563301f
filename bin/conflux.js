#!/usr/bin/env node
// The conflux command. Sources are TypeScript, run through tsx's loader so that
// a fresh `npm install` is all a user needs; hot paths are unaffected (the
// loader only transpiles, once, at import time).
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
