// The one error a report ends with when its input is not a readable run record: the message names the file and
// what to do, and the command line prints it without a stack trace.
export class ReportError extends Error {
  override name = "ReportError";
}
