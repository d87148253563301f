// Progress of a long run: a bar with iteration, rate and time left on a
// terminal; plain lines (every 10% or so) when output goes to a file or CI log.
// Called from inside the coupling loop, so it does nothing most of the time.
import cliProgress from "cli-progress";

export interface Progress {
  update(completed: number, planned: number): void;
  finish(): void;
}

const PLAIN_INTERVAL_MS = 2000;

/**
 * `unit` names what is counted: "iterations", or "windows" for a run in time
 * (whose count is 0 when not known beforehand: then only the count is shown).
 */
export function createProgress(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
  unit: "iterations" | "windows" = "iterations",
): Progress {
  const one = unit === "windows" ? "window" : "iteration";
  const perSecond = unit === "windows" ? "windows" : "it";
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {value}/{total} ${unit} | {rate} ${perSecond}/s | {eta_formatted} left`,
        stream,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    const clock = rateClock();
    return {
      update(completed, planned) {
        if (planned === 0) {
          if ((completed & 15) === 0) stream.write(`\r${label}: ${one} ${completed}`);
          return;
        }
        const rate = clock(completed);
        if (!started) {
          bar.start(planned, 0, { rate: "…" });
          started = true;
        }
        if ((completed & 15) !== 0 && completed !== planned) return;
        bar.update(completed, { rate: rate === undefined ? "…" : Math.round(rate).toString() });
      },
      finish() {
        if (started) bar.stop();
      },
    };
  }
  const clock = rateClock();
  let lastPrinted = 0;
  let lastTenth = 0;
  return {
    update(completed, planned) {
      const rate = clock(completed);
      if ((completed & 15) !== 0 && completed !== planned) return;
      const now = Date.now();
      if (planned === 0) {
        if (now - lastPrinted < PLAIN_INTERVAL_MS) return;
        lastPrinted = now;
        stream.write(`${label}: ${one} ${completed}\n`);
        return;
      }
      const tenth = Math.floor((completed * 10) / planned);
      if (tenth === lastTenth && now - lastPrinted < PLAIN_INTERVAL_MS && completed !== planned) return;
      lastTenth = tenth;
      lastPrinted = now;
      const pace =
        rate === undefined
          ? ""
          : `, ${Math.round(rate)} ${perSecond}/s, ${completed < planned ? ((planned - completed) / rate).toFixed(1) : "0.0"} s left`;
      stream.write(`${label}: ${one} ${completed}/${planned}${pace}\n`);
    },
    finish() {},
  };
}

/**
 * Iterations per second since the first update: the first call (iteration 1
 * done) starts the clock, so the rate is measured over what came after it,
 * and is unknown (undefined) until a later iteration is done.
 */
export function rateClock(now: () => number = Date.now): (completed: number) => number | undefined {
  let first: { completed: number; at: number } | undefined;
  return (completed) => {
    const at = now();
    first ??= { completed, at };
    const seconds = (at - first.at) / 1000;
    return completed > first.completed && seconds > 0 ? (completed - first.completed) / seconds : undefined;
  };
}
