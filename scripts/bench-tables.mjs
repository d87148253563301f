#!/usr/bin/env node
// The README's tables from one sitting of scripts/bench-all.sh:
// `node scripts/bench-tables.mjs DIR` reads DIR/<bench>.json and
// DIR/machine.txt and prints, in Markdown, each bench's table with the run's
// date and load, every figure the median of its repetitions with their range,
// and every ratio a quotient of that run's medians. A bench that failed or was
// not run is said to be missing, with the first line of its error, so that a
// table is never taken from somewhere else. Nothing is computed here that the
// bench did not measure: the tables only choose and format.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const directory = process.argv[2];
if (directory === undefined || !existsSync(join(directory, "machine.txt"))) {
  process.stderr.write("usage: node scripts/bench-tables.mjs DIR (a directory scripts/bench-all.sh wrote)\n");
  process.exit(2);
}

/** DIR/<name>.json, or the reason it is not there. */
function load(name) {
  const file = join(directory, `${name}.json`);
  const text = existsSync(file) ? readFileSync(file, "utf8").trim() : "";
  if (text === "") {
    const error = join(directory, `${name}.err`);
    const last = existsSync(error) ? readFileSync(error, "utf8").trim().split("\n").at(-1) : "not run";
    return { missing: `bench ${name} gave no figures (${last})` };
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    return { missing: `bench ${name} wrote ${file}, which is not JSON (${error.message})` };
  }
}

/** A number as the README spells it: three significant figures, thousands apart. */
function number(value) {
  if (value === undefined || value === null || Number.isNaN(value)) return "–";
  const magnitude = Math.abs(value);
  if (Number.isInteger(value) || magnitude >= 1000) return Math.round(value).toLocaleString("en-US");
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  if (magnitude === 0) return "0";
  return value.toPrecision(2);
}

/** A median with its [fastest–slowest], from a spread { median, min, max }. */
function ranged(spread) {
  if (spread === undefined) return "–";
  return `${number(spread.median)} [${number(spread.min)}–${number(spread.max)}]`;
}

function ratio(value) {
  return value === undefined || value === null ? "–" : `${value.toFixed(2)}×`;
}

/** The run's date and load, as the bench recorded them. */
function machine(result) {
  const m = result.machine;
  if (m === undefined) return "";
  const started = m.started === undefined ? "" : `${m.started.slice(0, 16).replace("T", " ")} UTC, `;
  return `${started}${m.cpus} CPUs, load ${m.load_before} at the start, ${m.load_after} at the end, ${m.load_max} at most`;
}

function table(header, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

const sections = [];
function section(title, name, render) {
  const result = load(name);
  if (result.missing !== undefined) {
    sections.push(`**${title}**: ${result.missing}.`);
    return;
  }
  sections.push(`**${title}** (${machine(result)})\n\n${render(result)}`);
}

section("bench seed", "seed", (seed) => {
  const enclaves = [...new Set(seed.rows.map((row) => row.enclave))];
  const cell = (measurement, enclave, statistic) => {
    const row = seed.rows.find((r) => r.measurement === measurement && r.enclave === enclave);
    return row === undefined ? "–" : ranged(row.spread[statistic]);
  };
  const rows = [];
  for (const [measurement, label] of [
    ["command-queue", "command queue (round trip)"],
    ["a-to-b", "appA → appB transform"],
    ["b-to-a", "appB → appA transform"],
    ["iteration", "complete iteration"],
  ]) {
    rows.push([`${label} p50`, ...enclaves.map((enclave) => cell(measurement, enclave, "p50_us"))]);
  }
  rows.push(["complete iteration mean", ...enclaves.map((enclave) => cell("iteration", enclave, "mean_us"))]);
  rows.push(["complete iteration p99", ...enclaves.map((enclave) => cell("iteration", enclave, "p99_us"))]);
  const ratios = seed.ratios
    .map(
      (r) =>
        `${r.of} ÷ ${r.over} ${ratio(r.ratio)} (pairs ${ratio(r.pairs.min)}–${ratio(r.pairs.max)}; target ${r.target}×)`,
    )
    .join(", ");
  return `${table(["µs, median [min–max] of " + seed.repetitions, ...enclaves], rows)}\n\n${seed.points} points, ${seed.iterations} iterations; ${ratios}.`;
});

section("bench coupling --peer precice", "coupling", (coupling) => {
  const rows = [];
  for (const row of coupling.rows) {
    rows.push([
      row.operator,
      "conflux",
      ranged(row.spread.setup_ms),
      ranged(row.spread.p50_us),
      ranged(row.spread.p99_us),
      number(row.max_error),
    ]);
    const precice = row.precice;
    if (precice?.spread !== undefined) {
      rows.push([
        "",
        `preCICE ${coupling.peer?.version ?? ""} (initialize)`,
        ranged(precice.spread.initialize_ms),
        ranged(precice.spread.p50_us),
        ranged(precice.spread.p99_us),
        number(precice.max_error),
      ]);
    } else if (precice !== undefined) {
      rows.push(["", "preCICE", precice.skipped ?? precice.failed ?? "–", "", "", ""]);
    }
  }
  if (coupling.floor?.spread !== undefined) {
    rows.push([
      "nearest",
      "C floor",
      "–",
      ranged(coupling.floor.spread.p50_us),
      ranged(coupling.floor.spread.p99_us),
      "–",
    ]);
  }
  const ratioNames = [
    ["p50_over_floor_p50", "p50 ÷ the floor's p50"],
    ["p99_over_floor_p99", "p99 ÷ the floor's p99"],
    ["p50_over_precice_p50", "p50 ÷ preCICE's"],
    ["p99_over_precice_p99", "p99 ÷ preCICE's"],
    ["setup_over_precice_initialize", "setup ÷ preCICE's initialize"],
  ];
  const ratios = coupling.rows
    .map((row) => {
      const known = ratioNames.filter(([key]) => typeof row.ratios?.[key] === "number");
      return `${row.operator}: ${known.map(([key, name]) => `${name} ${ratio(row.ratios[key])}`).join(", ")}`;
    })
    .join("; ");
  const tails = coupling.rows
    .map((row) => {
      const causes = Object.entries(row.tail?.causes ?? {})
        .filter(([, count]) => count > 0)
        .map(([cause, count]) => `${count} ${cause}`)
        .join(", ");
      return `${row.operator}: ${row.tail?.above_p99 ?? 0} of ${row.tail?.windows ?? 0} windows above p99 (${causes || "none attributed"})`;
    })
    .join("; ");
  return `${table(["operator", "column", "setup ms", "p50 µs", "p99 µs", "error of the returned linear field"], rows)}\n\n${coupling.points} points, ${coupling.windows} windows after ${coupling.warmup_windows} warm-up windows, ${coupling.repetitions} repetitions interleaved. Ratios of this run: ${ratios}. The tail: ${tails}.`;
});

section("bench coupling --nodes 2", "coupling-nodes", (nodes) => {
  const rows = [
    ["one node", ranged(nodes.one_node.p50_us), ranged(nodes.one_node.p99_us), "(shared memory)"],
    [
      "two nodes",
      ranged(nodes.two_nodes.p50_us),
      ranged(nodes.two_nodes.p99_us),
      `${number(nodes.two_nodes.bytes_to_node_per_window)} / ${number(nodes.two_nodes.bytes_from_node_per_window)}`,
    ],
    [
      "TCP ping-pong node1 ↔ node2",
      number(nodes.tcp_floor.p50_us),
      number(nodes.tcp_floor.p99_us),
      `${number(nodes.tcp_floor.send_bytes)} / ${number(nodes.tcp_floor.reply_bytes)}`,
    ],
  ];
  return `${table(["column", "p50 µs", "p99 µs", "bytes a window to / from node2"], rows)}\n\n${nodes.points} points, ${nodes.windows} windows, ${nodes.repeats} runs of each column interleaved, waits: ${nodes.wait}; two nodes ÷ one ${ratio(nodes.ratios.two_nodes_over_one_node_p50)}, ÷ the TCP floor ${ratio(nodes.ratios.two_nodes_over_tcp_floor_p50)}.`;
});

section("bench queue", "queue", (queue) => {
  const rows = queue.results.map((row) => [
    row.transport,
    row.mode,
    row.between,
    row.load,
    ranged(row.repetitions.p50_ns && scaled(row.repetitions.p50_ns, 1e-3)),
    ranged(row.repetitions.p99_ns && scaled(row.repetitions.p99_ns, 1e-3)),
  ]);
  const floor = queue.results.find((row) => row.transport === "c-floor");
  const over = (transport, mode) => {
    const row = queue.results.find((r) => r.transport === transport && r.mode === mode && r.load === "idle");
    return row === undefined || floor === undefined ? "–" : ratio(row.p50_ns / floor.p50_ns);
  };
  const throughput = queue.throughput
    .map((row) => `${row.transport} ${row.mode} ${row.between} ${number(row.messages_per_s / 1e6)} M/s`)
    .join(", ");
  return `${table(["transport", "wait", "between", "load", "round trip p50 µs", "p99 µs"], rows)}\n\nMedian [min–max] of ${queue.repeat} rounds. Spin ÷ the C floor ${over("conflux", "spin")} (target 1.3×), the C client ${over("conflux-c", "spin")}. One-way throughput (medians): ${throughput}.`;
});

section("bench map --peer scipy,precice", "map", (map) => {
  const rows = map.rows.map((row) => {
    const ours = row.ours[0];
    const peer = (name) => row.peers.find((p) => p.peer === name && p.setup_ms !== undefined);
    const setupPeer = peer(row.lead?.over);
    const applyPeer = peer(row.lead?.apply_over);
    return [
      row.operator,
      number(row.source_points),
      ranged(ours.setup_ms),
      setupPeer === undefined ? "–" : `${setupPeer.peer} ${number(setupPeer.setup_ms.median)}`,
      ratio(row.lead?.setup),
      number(ours.apply_us.median),
      applyPeer === undefined ? "–" : `${applyPeer.peer} ${number(applyPeer.apply_us.median)}`,
      ratio(row.lead?.apply),
    ];
  });
  const versions = map.peers.map((peer) => peer.version).join("; ");
  const skipped = (map.skipped ?? [])
    .map((s) => (typeof s === "string" ? s : `${s.operator} at ${number(s.points)} points (${s.reason})`))
    .join("; ");
  return `${table(["operator", "points", "setup ms", "best peer", "its ÷ ours", "apply µs", "best peer", "its ÷ ours"], rows)}\n\nOurs on one thread, median [min–max]; the peers (${versions}) on the same points, interleaved; a ratio above 1 is ours ahead.${skipped === "" ? "" : ` Not run: ${skipped}.`}`;
});

section("bench map --scale", "map-scale", (scale) => {
  const rows = scale.rows.map((row) => [
    row.operator,
    number(row.points),
    ranged(row.setup_s),
    number(row.cpu_s.median),
    number(row.peak_bytes_per_point.median),
    number(row.operator_bytes_per_point),
  ]);
  const growth = scale.growth
    .map((g) => `${g.operator} points^${g.exponent.toFixed(2)} (${g.sizes.map(number).join("–")})`)
    .join(", ");
  const targets = (scale.targets ?? [])
    .map((t) => `${t.what}: ${t.measured} against ${t.target}, ${t.met ? "met" : "not met"}`)
    .join("; ");
  return `${table(["operator", "points", "setup s", "cpu s", "peak bytes/point", "operator bytes/point"], rows)}\n\nSetup grows as ${growth}.${targets === "" ? "" : ` Targets: ${targets}.`}`;
});

section("bench implicit", "implicit", (implicit) => {
  const peerRuns = implicit.precice?.runs ?? [];
  const rows = implicit.runs.map((run) => {
    const peer =
      run.pair === "c-c" ? peerRuns.find((p) => p.case === run.case && p.acceleration === run.acceleration) : undefined;
    return [
      run.case,
      run.pair === "c-c" ? `${run.acceleration} (all C)` : run.acceleration,
      number(run.total),
      ranged(run.spread.iteration.p50_us),
      ranged(run.spread.window.p50_us),
      number(run.iteration.mean_us),
      peer === undefined ? "" : number(peer.total),
      peer === undefined ? "" : ranged(scaled(peer.spread.ms_per_iteration, 1000)),
      peer === undefined ? "" : ratio((peer.ms_per_iteration * 1000) / run.iteration.mean_us),
    ];
  });
  const peer = implicit.precice?.version === undefined ? "preCICE" : `preCICE ${implicit.precice.version}`;
  const skipped = implicit.precice?.skipped === undefined ? "" : ` ${peer} not run: ${implicit.precice.skipped}.`;
  return `${table(["case", "acceleration", "iterations", "µs an iteration p50", "µs a window p50", "mean µs an iteration", `${peer} iterations`, `${peer} µs an iteration (mean)`, "its ÷ ours (means)"], rows)}\n\nMedian [min–max] of ${implicit.repeat} rounds, every run interleaved with the others and the peer's.${skipped}`;
});

section("bench acceleration", "acceleration", (acceleration) => {
  const rows = acceleration.runs.map((run) => [
    run.method,
    number(run.values),
    String(run.columns),
    `${run.threads} (${run.threads_used} used)`,
    ranged(run.spread.iteration.p50_us),
    ranged(run.spread.window_end.p50_us),
    ratio(run.speedup_p50),
  ]);
  return `${table(["method", "values", "columns", "threads", "µs an iteration p50", "µs a window end p50", "speedup over one thread (p50)"], rows)}\n\nMedian [min–max] of ${acceleration.repeat} rounds on ${acceleration.cores} cores.`;
});

section("bench lammps", "lammps", (lammps) => {
  const rows = ["alone", "publishing", "coupled"].map((mode) => [
    mode,
    ranged(lammps.spread[mode].p50_ms),
    ranged(lammps.spread[mode].mean_ms),
    ranged(lammps.spread[mode].p99_ms),
  ]);
  const percent = (x) => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)}%`;
  const analysis = lammps.analysis;
  const slowdown = typeof lammps.slowdown === "number" ? percent(lammps.slowdown) : JSON.stringify(lammps.slowdown);
  const publishing =
    typeof lammps.publishing_slowdown === "number"
      ? percent(lammps.publishing_slowdown)
      : JSON.stringify(lammps.publishing_slowdown);
  return `${table(["ms a go", "p50", "mean", "p99"], rows)}\n\n${number(lammps.atoms)} atoms, ${lammps.steps_per_go} steps a go, median [min–max] of ${lammps.repeat} rounds; coupled over alone ${slowdown}, publishing over alone ${publishing}; ${analysis.analysed} of ${analysis.published} snapshots analysed, ${analysis.skipped} skipped.`;
});

section("bench cli", "cli", (cli) => {
  const rows = cli.rows.map((row) => [
    row.case,
    number(row.p50_ms),
    number(row.p99_ms),
    `${number(row.mean_ms)} ± ${number(row.sd_ms)}`,
    row.target_ms === undefined ? "" : `${row.target_ms}`,
  ]);
  const ratios = (cli.ratios ?? []).map((r) => `${r.name} ${ratio(r.value)}`).join(", ");
  return `${table(["command", "p50 ms", "p99 ms", "mean ± sd", "target ms"], rows)}\n\n${cli.rounds} interleaved rounds${ratios === "" ? "" : `; ${ratios}`}.`;
});

/** A spread in other units. */
function scaled(spread, factor) {
  return { median: spread.median * factor, min: spread.min * factor, max: spread.max * factor };
}

process.stdout.write(`${readFileSync(join(directory, "machine.txt"), "utf8").trim()}\n\n${sections.join("\n\n")}\n`);
