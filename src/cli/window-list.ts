// The windows `conflux inspect --windows` names: "all", or window numbers and
// ranges as a run record counts them (from 0), such as "0,5-9,42".
import type { ResidualWindows } from "../record/residual-history.ts";
import { UsageError } from "./exit-codes.ts";

export function parseWindowList(text: string, windowCount: number): ResidualWindows {
  if (text.trim() === "all") return "all";
  const windows: number[] = [];
  const last = windowCount - 1;
  for (const part of text.split(",")) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (match === null) {
      throw new UsageError(`--windows ${text}: give "all" or window numbers and ranges from 0, such as 0,5-9`);
    }
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from) throw new UsageError(`--windows ${text}: the range ${part.trim()} runs backwards`);
    if (to > last) {
      throw new UsageError(
        windowCount === 0
          ? `--windows ${text}: the run recorded no window`
          : `--windows ${text}: the run recorded windows 0 to ${last}; ${to} is not one of them`,
      );
    }
    for (let window = from; window <= to; window++) windows.push(window);
  }
  return windows;
}
