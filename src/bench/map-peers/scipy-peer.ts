// The scipy peer of `bench map`: scipy_peer.py in a Python that has scipy,
// started once per run and asked one request at a time, so that its
// measurements interleave with ours. It reads the very points we map, from
// raw files the benchmark writes (see points-file.ts).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createInterface, type Interface } from "node:readline";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("./scipy_peer.py", import.meta.url));
/** python3 on PATH first; Debian's own next, where its python3-scipy lives. */
const PYTHONS = ["python3", "/usr/bin/python3"];

export const SCIPY_PACKAGE = "python3-scipy";

export interface ScipyVersions {
  python: string;
  scipy: string;
  numpy: string;
}

export interface ScipyNearest {
  setup_s: number;
  build_s: number;
  query_s: number;
  apply_s: number;
  partner_sum: number;
}

export interface ScipyRbf {
  setup_s: number;
  apply_s: number;
  value_sum: number;
}

/** The first Python that imports scipy, or undefined. */
export function findScipyPython(): string | undefined {
  return PYTHONS.find(
    (python) => spawnSync(python, ["-c", "import scipy.spatial, scipy.interpolate"], { stdio: "ignore" }).status === 0,
  );
}

export class ScipyPeer {
  private readonly lines: Interface;
  private readonly pending: ((line: string) => void)[] = [];
  private exited = false;
  private stderr = "";

  private constructor(
    private readonly child: ChildProcess,
    readonly versions: ScipyVersions,
  ) {
    this.lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    this.lines.on("line", (line) => this.pending.shift()?.(line));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-2000);
    });
    child.once("exit", () => {
      this.exited = true;
      for (const resolve of this.pending.splice(0)) resolve(JSON.stringify({ ok: false, error: this.died() }));
    });
  }

  /** Starts the peer in `python`; rejects with the reason when it does not answer. */
  static async start(python: string): Promise<ScipyPeer> {
    const child = spawn(python, [SCRIPT], { stdio: ["pipe", "pipe", "pipe"] });
    const peer = new ScipyPeer(child, { python, scipy: "", numpy: "" });
    const hello = (await peer.request({ op: "hello" })) as { scipy: string; numpy: string };
    peer.versions.scipy = hello.scipy;
    peer.versions.numpy = hello.numpy;
    return peer;
  }

  private died(): string {
    return `the scipy peer exited${this.stderr.trim() === "" ? "" : `: ${this.stderr.trim().split("\n").slice(-3).join(" ")}`}`;
  }

  /** One request, one answer; an answer with ok: false rejects with its error. */
  async request(request: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.exited) throw new Error(this.died());
    const line = await new Promise<string>((resolve) => {
      this.pending.push(resolve);
      this.child.stdin?.write(`${JSON.stringify(request)}\n`);
    });
    const reply = JSON.parse(line) as { ok: boolean; error?: string } & Record<string, unknown>;
    if (!reply.ok) throw new Error(`scipy peer, ${String(request.op)}: ${reply.error}`);
    return reply;
  }

  load(name: string, path: string, count: number): Promise<unknown> {
    return this.request({ op: "load", name, path, count });
  }

  drop(name: string): Promise<unknown> {
    return this.request({ op: "drop", name });
  }

  async nearest(source: string, target: string): Promise<ScipyNearest> {
    return (await this.request({ op: "nearest", source, target })) as unknown as ScipyNearest;
  }

  async rbf(source: string, target: string, kernel: string, epsilon?: number): Promise<ScipyRbf> {
    return (await this.request({
      op: "rbf",
      source,
      target,
      kernel,
      ...(epsilon !== undefined && { epsilon }),
    })) as unknown as ScipyRbf;
  }

  /** Ends the peer (closing its stdin ends its loop) and waits for it. */
  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
}
