// Progress of a long command other than a stack build (stack-build-progress.ts
// has debootstrap's own stages): a VM image build through its stages, a
// benchmark through its measurements. On a terminal, one line that a bar
// redraws (cli-progress) with the step at hand and the time so far; elsewhere
// (a file, a CI log) one plain line per step, so a log says what ran.
import cliProgress from "cli-progress";

export interface TaskProgress {
  /** The next step begins: with a total the bar fills step by step, without one the steps are counted. */
  step(what: string): void;
  finish(): void;
}

/**
 * `label` names the task; `total` is the number of steps when known beforehand. `plain` is how a step reads
 * as a line of its own (default "label: step").
 */
export function createTaskProgress(
  label: string,
  total?: number,
  stream: NodeJS.WriteStream = process.stderr,
  plain: (what: string) => string = (what) => `${label}: ${what}`,
): TaskProgress {
  if (!stream.isTTY) {
    return {
      step: (what) => {
        stream.write(`${plain(what)}\n`);
      },
      finish() {},
    };
  }
  const known = total !== undefined && total > 0;
  const bar = new cliProgress.SingleBar(
    {
      format: known
        ? `${label} [{bar}] {value}/{total} {step} ({duration}s)`
        : `${label} {value} done, now {step} ({duration}s)`,
      stream,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let done = -1;
  bar.start(known ? total : 0, 0, { step: "starting" });
  return {
    step(what) {
      done++;
      if (!known) bar.setTotal(done + 1);
      bar.update(Math.max(0, done), { step: what });
      // Drawn now, not at the library's next frame: a synchronous step (an image build) gives it no frame
      // until it ends, and the bar would name the step before all along.
      bar.render();
    },
    finish() {
      if (known) bar.update(total, { step: "done" });
      else bar.update(done + 1, { step: "done" });
      bar.stop();
    },
  };
}

/**
 * Runs a benchmark with its progress, finished however it ends; off a terminal each step is a line, by
 * default `measuring …` (`plain` says otherwise, for a bench whose steps are whole lines already).
 */
export async function withBenchProgress<T>(
  label: string,
  run: (progress: (what: string) => void) => Promise<T>,
  plain: (what: string) => string = (what) => `measuring ${what}…`,
): Promise<T> {
  const progress = createTaskProgress(label, undefined, process.stderr, plain);
  try {
    return await run((what) => progress.step(what));
  } finally {
    progress.finish();
  }
}
