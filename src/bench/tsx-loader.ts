// The tsx loader as an absolute file URL, so a child process started from any
// directory can run the TypeScript sources (`node --import <this> file.ts`).
export const TSX_LOADER: string = import.meta.resolve("tsx");
