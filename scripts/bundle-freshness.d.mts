// Types of bundle-freshness.mjs, for the TypeScript that calls it (src/platform/sdk-bundle.ts).
export function bundleStale(listing: string, root: string): string | undefined;
export function fileSha256(path: string): string;
