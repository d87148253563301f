// Components may be written in TypeScript, so every backend that runs a module
// loads it through tsx. Resolved from this package, not from the component's
// directory, so a component needs no tsx of its own.

function resolveFromHere(specifier: string): string {
  try {
    return import.meta.resolve(specifier);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot find ${specifier}, needed to run TypeScript components (${reason}); run npm install`);
  }
}

/** tsx's loader, for `node --import <url> module` in a child process. */
export function tsxLoaderUrl(): string {
  return resolveFromHere("tsx");
}

/**
 * tsx's register() API. A worker must call it itself: in Node 20 a worker does
 * not inherit its parent's loader hooks, and `--import` in its execArgv does not
 * install them either (checked: the .ts entry fails with "Unknown file extension").
 */
export function tsxRegisterUrl(): string {
  return resolveFromHere("tsx/esm/api");
}
