// Progress of a long run: a bar with iteration, rate and time left on a
// terminal; plain lines (every 10% or so) when output goes to a file or CI log.
// Called from inside the coupling loop, so it does nothing most of the time.
import cliProgress from "cli-progress";

export interface Progress {
  update(completed: number, planned: number): void;
  finish(): void;
}

const PLAIN_INTERVAL_MS = 2000;

export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {value}/{total} iterations | {rate} it/s | {eta_formatted} left`,
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
      const tenth = Math.floor((completed * 10) / planned);
      if (tenth === lastTenth && now - lastPrinted < PLAIN_INTERVAL_MS && completed !== planned) return;
      lastTenth = tenth;
      lastPrinted = now;
      const seconds = (now - startedAt) / 1000;
      const rate = seconds > 0 ? completed / seconds : 0;
      const left = rate > 0 ? (planned - completed) / rate : 0;
      stream.write(
        `${label}: iteration ${completed}/${planned}, ${Math.round(rate)} it/s, ${left.toFixed(1)} s left\n`,
      );
    },
    finish() {},
  };
}
