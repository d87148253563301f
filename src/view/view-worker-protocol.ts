// What the live view's thread and the driver's main thread say to each other.
export interface ViewWorkerData {
  page: string;
  port: number;
}

/** Main → view thread: the latest state as JSON text (a string is cheap to pass), or the end. */
export type MainToView = { type: "state"; json: string } | { type: "close" };

/** View thread → main: where it listens, that it could not, or that it has closed. */
export type ViewToMain = { type: "listening"; url: string } | { type: "failed"; message: string } | { type: "closed" };
