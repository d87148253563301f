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
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {value}/{total} ${unit} | {rate} ${unit === "windows" ? "windows" : "it"}/s | {eta_formatted} left`,
        stream,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    let startedAt = 0;
    return {
      update(completed, planned) {
        if (planned === 0) {
          if ((completed & 15) === 0) stream.write(`\r${label}: ${one} ${completed}`);
          return;
        }
        if (!started) {
          bar.start(planned, 0, { rate: "0" });
          started = true;
          startedAt = Date.now();
        }
        if ((completed & 15) !== 0 && completed !== planned) return;
        const seconds = (Date.now() - startedAt) / 1000;
        bar.update(completed, { rate: seconds > 0 ? Math.round(completed / seconds).toString() : "0" });
      },
      finish() {
        if (started) bar.stop();
      },
    };
  }
  let startedAt = 0;
  let lastPrinted = 0;
  let lastTenth = 0;
  return {
    update(completed, planned) {
      if ((completed & 15) !== 0 && completed !== planned) return;
      const now = Date.now();
      if (startedAt === 0) startedAt = now;
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
      const seconds = (now - startedAt) / 1000;
      const rate = seconds > 0 ? completed / seconds : 0;
      const left = rate > 0 ? (planned - completed) / rate : 0;
      stream.write(
        `${label}: ${one} ${completed}/${planned}, ${Math.round(rate)} ${unit === "windows" ? "windows" : "it"}/s, ${left.toFixed(1)} s left\n`,
      );
    },
    finish() {},
  };
}
