#!/usr/bin/env bash
# Every benchmark of the README, one after the other in one sitting, so that
# the README's tables come from one consistent run: `scripts/bench-all.sh DIR`
# writes DIR/<bench>.json (each bench's --json), DIR/<bench>.err (its progress
# and any failure), and DIR/machine.txt: the date, the CPUs and
# the load average before and after each bench. Peers (scipy, preCICE) run
# inside the benches that compare with them, in the same run; `bench coupling
# --nodes 2` needs root, Slurm and munge, `bench lammps` its two stacks built
# (it names the conflux stack build commands when they are not). Run it
# on a quiet machine; it takes about an hour on two cores (half of it bench acceleration).
# scripts/bench-tables.mjs DIR prints the README's tables from what it wrote.
set -euo pipefail
out=${1:?usage: scripts/bench-all.sh DIR}
mkdir -p "$out"
conflux=(node "$(dirname "$0")/../bin/conflux.js")
machine="$out/machine.txt"
{ date -u +"started %Y-%m-%dT%H:%M:%SZ"; echo "cpus $(nproc)"; } > "$machine"

run() {
  local name=$1
  shift
  echo "load before $name: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$machine"
  local started=$SECONDS
  if "${conflux[@]}" bench "$@" --json > "$out/$name.json" 2> "$out/$name.err"; then
    echo "$name: $((SECONDS - started)) s" >> "$machine"
  else
    echo "$name: failed after $((SECONDS - started)) s (see $name.err)" >> "$machine"
  fi
  echo "load after $name: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$machine"
}

run seed seed --enclaves baseline,process,container --repeat 5
run coupling coupling --peer precice
run coupling-nodes coupling --nodes 2
run queue queue --repeat 5
run map map --peer scipy,precice
run map-scale map --scale
run implicit implicit
run acceleration acceleration
run lammps lammps
run cli cli
date -u +"finished %Y-%m-%dT%H:%M:%SZ" >> "$machine"
