// Progress of a stack build, `conflux stack build` or `conflux run` building a
// stack a composition names by its spec file: on a terminal, a bar through
// debootstrap's stages (resolving, retrieving, validating, extracting,
// installing, configuring) with the package at hand; elsewhere (a file, a CI
// log), one plain line per stage and every line of our own, so that a log
// says what the build did without debootstrap's hundreds of lines.
import cliProgress from "cli-progress";
import type { StackBuildSink } from "../runner/stack-builds.ts";

const STAGES = [
  { name: "resolving dependencies", pattern: /^I: (Resolving|Checking component|Found)/ },
  { name: "retrieving packages", pattern: /^I: Retrieving (?!Release|InRelease|Packages)(\S+)/ },
  { name: "validating packages", pattern: /^I: Validating (?!Packages)(\S+)/ },
  { name: "extracting packages", pattern: /^I: Extracting (\S+)/ },
  { name: "installing packages", pattern: /^I: (?:Installing|Unpacking (\S+))/ },
  { name: "configuring packages", pattern: /^I: Configuring (\S+)/ },
] as const;

export interface StackBuildProgress {
  /** A line from the build: debootstrap's or the build's own. */
  line(text: string): void;
  finish(): void;
}

export function createStackBuildProgress(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): StackBuildProgress {
  let stage = -1;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {stage} {detail}`, stream, hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    bar.start(STAGES.length, 0, { stage: "starting", detail: "" });
    return {
      line(text) {
        const found = stageOf(text);
        if (found === undefined) {
          if (!text.startsWith("I: ") && !text.startsWith("W: ") && text.trim() !== "") {
            bar.update({ stage: text.slice(0, 60), detail: "" });
          }
          return;
        }
        stage = Math.max(stage, found.index);
        bar.update(stage, { stage: STAGES[stage]?.name ?? "", detail: found.detail });
      },
      finish() {
        bar.update(STAGES.length, { stage: "done", detail: "" });
        bar.stop();
      },
    };
  }
  return {
    line(text) {
      const found = stageOf(text);
      if (found === undefined) {
        // Our own lines (and debootstrap's errors) go through; its per-package lines are counted as stages.
        if (!text.startsWith("I: ") && text.trim() !== "") stream.write(`${label}: ${text}\n`);
        return;
      }
      if (found.index <= stage) return;
      stage = found.index;
      stream.write(`${label}: ${STAGES[stage]?.name}\n`);
    },
    finish() {},
  };
}

function stageOf(text: string): { index: number; detail: string } | undefined {
  for (let index = STAGES.length - 1; index >= 0; index--) {
    const match = (STAGES[index] as (typeof STAGES)[number]).pattern.exec(text);
    if (match !== null) return { index, detail: match[1] ?? "" };
  }
  return undefined;
}

/** `conflux run`'s builds of stacks named by their spec files: a line on why, the progress, a line on what it took. */
export function runStackBuildSink(stream: NodeJS.WriteStream = process.stderr): StackBuildSink {
  let progress: StackBuildProgress | undefined;
  let started = 0;
  return {
    start(name, spec) {
      stream.write(`conflux run: stack ${name} is not built; building it from ${spec} first\n`);
      progress = createStackBuildProgress(`stack ${name}`, stream);
      started = Date.now();
    },
    line: (text) => progress?.line(text),
    done(name, built) {
      progress?.finish();
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      stream.write(
        `conflux run: stack ${name} ${built ? `built in ${seconds} s` : "was built meanwhile by another build"}\n`,
      );
    },
  };
}
