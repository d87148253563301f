#!/bin/bash
# A Slurm cluster of N simulated nodes on one machine, for tests and for trying
# a multi-node run without a cluster:
#
#   scripts/simulated-cluster.sh up DIR N      start it (DIR: an empty directory it owns)
#   scripts/simulated-cluster.sh run DIR HOST CMD...   run CMD on HOST (ctl, node1 … nodeN)
#   scripts/simulated-cluster.sh down DIR      stop everything it started and remove its namespaces
#
# Each node is a network namespace (a veth to a bridge that lives in a "switch"
# namespace of its own, so nothing is added to the host's network), with its own
# UTS (hostname), IPC (System V) and mount namespace, whose /dev/shm is a tmpfs
# of its own: shared memory cannot cross nodes. One slurmctld (on "ctl") and one
# munged serve them all; munged has a key and a socket of its own under
# /run/cfxsim-<id>, so clusters do not share it with each other or with the
# host. Every namespace's name starts with "cfxsim-<id>-", <id> taken from DIR,
# which is how `down` and the tests' leak check find them. Needs root and
# Debian's slurm-wlm and munge.
set -euo pipefail

SUBNET=10.77.0

usage() {
  echo "usage: $0 up DIR NODES | run DIR HOST CMD... | down DIR" >&2
  exit 2
}

cluster_id() { basename "$1" | tr -c 'a-zA-Z0-9\n' '-' | tail -c 13; }

# $1=DIR $2=host: the pid whose namespaces are that host's.
host_pid() {
  local file
  case "$2" in
    ctl) file="$1/run/slurmctld.pid" ;;
    node*) file="$1/run/slurmd-$2.pid" ;;
    *) echo "no host $2 (ctl, node1 … nodeN)" >&2; exit 2 ;;
  esac
  [ -s "$file" ] || { echo "host $2 is not running ($file is missing)" >&2; exit 1; }
  cat "$file"
}

up() {
  local dir=$1 nodes=$2 id
  [ "$nodes" -ge 1 ] 2>/dev/null || { echo "NODES must be a whole number ≥ 1, got $nodes" >&2; exit 2; }
  id=$(cluster_id "$dir")
  mkdir -p "$dir"/{conf,state,log,run,spool}
  for i in $(seq 1 "$nodes"); do mkdir -p "$dir/spool/node$i"; done # slurmd does not make its %n spool
  echo "$id" > "$dir/run/id"
  echo "$nodes" > "$dir/run/nodes"

  # Network: a bridge in its own namespace, one veth per host.
  ip netns add "cfxsim-$id-sw"
  ip -n "cfxsim-$id-sw" link add br0 type bridge
  ip -n "cfxsim-$id-sw" link set br0 up
  ip -n "cfxsim-$id-sw" link set lo up
  add_host() { # $1=host $2=address
    ip netns add "cfxsim-$id-$1"
    ip -n "cfxsim-$id-sw" link add "v-$1" type veth peer name eth0 netns "cfxsim-$id-$1"
    ip -n "cfxsim-$id-sw" link set "v-$1" master br0 up
    ip -n "cfxsim-$id-$1" addr add "$2/24" dev eth0
    ip -n "cfxsim-$id-$1" link set eth0 up
    ip -n "cfxsim-$id-$1" link set lo up
  }
  add_host ctl "$SUBNET.254"
  for i in $(seq 1 "$nodes"); do add_host "node$i" "$SUBNET.$i"; done
  {
    echo "127.0.0.1 localhost"
    echo "$SUBNET.254 ctl"
    for i in $(seq 1 "$nodes"); do echo "$SUBNET.$i node$i"; done
  } > "$dir/conf/hosts"

  # munge, private to this cluster: its own key (in a directory only munge reads) and socket (in one all may
  # enter, as munged insists). Under /run, not DIR: munged runs as munge, and DIR's parents (a private TMPDIR)
  # need not let it through.
  local munge="/run/cfxsim-$id"
  mkdir -p "$munge/socket" "$munge/key"
  echo "$munge" > "$dir/run/munge-directory"
  chown munge:munge "$munge/socket" "$munge/key"
  chmod 755 "$munge" "$munge/socket"
  chmod 700 "$munge/key"
  dd if=/dev/urandom of="$munge/key/munge.key" bs=1024 count=1 status=none
  chown munge:munge "$munge/key/munge.key"
  chmod 400 "$munge/key/munge.key"
  runuser -u munge -- /usr/sbin/munged --key-file="$munge/key/munge.key" --socket="$munge/socket/munge.socket" \
    --pid-file="$munge/key/munged.pid" --log-file="$munge/key/munged.log" --seed-file="$munge/key/munged.seed"
  cp "$munge/key/munged.pid" "$dir/run/munged.pid"

  cat > "$dir/conf/slurm.conf" <<EOF
ClusterName=cfxsim
SlurmctldHost=ctl($SUBNET.254)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$munge/socket/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd-%n.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SlurmdParameters=config_overrides
SlurmdTimeout=10
MessageTimeout=5
KillWait=2
MailProg=/bin/true
# One TmpFS per node: mpi/pmix writes its directories there, and a shared one collides.
TmpFS=$dir/spool/%n
EOF
  for i in $(seq 1 "$nodes"); do
    echo "NodeName=node$i NodeAddr=$SUBNET.$i CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=1000 State=UNKNOWN"
  done >> "$dir/conf/slurm.conf"
  echo "PartitionName=sim Nodes=node[1-$nodes] Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4" >> "$dir/conf/slurm.conf"

  export SLURM_CONF="$dir/conf/slurm.conf"
  # A host: its network namespace (entered with nsenter, not `ip netns exec`, which remounts /sys and leaves
  # slurmd without its cgroup mount), and UTS, IPC and mount namespaces of its own with a private /dev/shm.
  in_host() { # $1=host, then the command, exec'd in the foreground
    local host=$1
    shift
    unshare --uts --ipc --mount --propagation private -- nsenter --net="/run/netns/cfxsim-$id-$host" -- \
      sh -c "hostname $host; mount --bind $dir/conf/hosts /etc/hosts; mount -t tmpfs -o size=512m,mode=1777 shm-$host /dev/shm; exec \"\$@\"" \
      sh "$@"
  }
  in_host ctl slurmctld -D -f "$SLURM_CONF" > "$dir/log/slurmctld.out" 2>&1 &
  echo $! > "$dir/run/slurmctld.wrapper.pid"
  for i in $(seq 1 "$nodes"); do
    in_host "node$i" slurmd -D -N "node$i" -f "$SLURM_CONF" > "$dir/log/slurmd-node$i.out" 2>&1 &
    echo $! > "$dir/run/slurmd-node$i.wrapper.pid"
  done

  # Up when every node is idle; clients run inside the controller's namespaces.
  local idle=0
  for _ in $(seq 1 120); do
    if [ -s "$dir/run/slurmctld.pid" ]; then
      idle=$(nsenter -t "$(cat "$dir/run/slurmctld.pid")" --net --uts --ipc --mount -- \
        env SLURM_CONF="$SLURM_CONF" sinfo -h -N -o '%T' 2>/dev/null | grep -c '^idle$' || true)
      [ "$idle" = "$nodes" ] && break
    fi
    sleep 0.25
  done
  if [ "$idle" != "$nodes" ]; then
    echo "the simulated cluster did not come up: $idle of $nodes nodes idle; logs in $dir/log" >&2
    exit 1
  fi
}

run() {
  local dir=$1 host=$2 pid
  shift 2
  pid=$(host_pid "$dir" "$host")
  exec nsenter -t "$pid" --net --uts --ipc --mount -- env SLURM_CONF="$dir/conf/slurm.conf" "$@"
}

# Stops daemons by pid (TERM, then KILL), every process left in the cluster's namespaces, then the namespaces.
down() {
  local dir=$1 id pids=() pid file ns
  [ -s "$dir/run/id" ] || exit 0
  id=$(cat "$dir/run/id")
  for file in "$dir"/run/slurmd-node*.pid "$dir/run/slurmctld.pid" "$dir/run/munged.pid"; do
    [ -s "$file" ] || continue
    pid=$(cat "$file")
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; pids+=("$pid"); fi
  done
  for _ in $(seq 1 40); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for file in "$dir"/run/*.wrapper.pid; do
    [ -s "$file" ] || continue
    kill -KILL "$(cat "$file")" 2>/dev/null || true
  done
  # Whatever still runs in a node's network namespace (a job step, an agent) goes with the node.
  for ns in $(ip netns list | awk '{print $1}' | grep "^cfxsim-$id-" || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  done
  for ns in $(ip netns list | awk '{print $1}' | grep "^cfxsim-$id-" || true); do ip netns del "$ns"; done
  [ -s "$dir/run/munge-directory" ] && rm -rf "$(cat "$dir/run/munge-directory")"
  rm -f "$dir/run/id"
}

[ $# -ge 2 ] || usage
command=$1
shift
case "$command" in
  up) [ $# -eq 2 ] || usage; up "$1" "$2" ;;
  run) [ $# -ge 3 ] || usage; run "$@" ;;
  down) [ $# -eq 1 ] || usage; down "$1" ;;
  *) usage ;;
esac
