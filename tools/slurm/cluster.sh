#!/usr/bin/env bash
# A one-node Slurm cluster on localhost for tests: munged, slurmctld and slurmd
# as root, every file (config, key, sockets, state, logs) in one private
# directory, so it touches nothing of a real installation and two of them can
# coexist.
#
#   tools/slurm/cluster.sh start DIR   # prints: export SLURM_CONF=DIR/slurm.conf
#   tools/slurm/cluster.sh stop DIR
#
# The config suits machines without systemd or cgroup delegation: processes
# are tracked by their parent ids (proctrack/linuxproc), tasks are not
# confined (task/none), and the node declares the machine's own CPUs and
# memory, each CPU schedulable on its own (CR_CPU). No accounting database:
# the defaults (no accounting, no MPI, no switch) are left unset.
set -euo pipefail

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}
[ $# -eq 2 ] || usage
action=$1
dir=$2

# Two distinct free ports (both held open until both are known), for slurmctld and slurmd.
free_ports() {
  python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])'
}

start() {
  [ "$(id -u)" = 0 ] || { echo "the test cluster runs its daemons as root" >&2; exit 2; }
  for bin in munged mungekey slurmctld slurmd sinfo; do
    command -v "$bin" >/dev/null || { echo "$bin not found (apt-get install slurm-wlm munge)" >&2; exit 2; }
  done
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  chmod 755 "$dir"
  # munged refuses a socket that other users cannot reach: every folder above it must be executable by all.
  local up=$dir
  while [ "$up" != / ]; do
    [ -n "$(find "$up" -maxdepth 0 -perm -o+x)" ] || { echo "$up is not executable by all (chmod o+x): munged refuses its socket below it" >&2; exit 2; }
    up=$(dirname "$up")
  done
  mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
  chmod 755 "$dir/munge"
  mungekey --create --keyfile="$dir/munge/munge.key" --force
  munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed"

  local node ports
  read -ra ports <<<"$(free_ports)"
  # slurmd -C prints this machine's CPUs and memory as a node line; the node is named localhost.
  node=$(slurmd -C | head -1 | sed -E 's/^NodeName=[^ ]+ //; s/ (Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore)=[0-9]+//g')
  cat >"$dir/slurm.conf" <<EOF
ClusterName=polycomtest
SlurmctldHost=localhost
SlurmctldPort=${ports[0]}
SlurmdPort=${ports[1]}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
KillWait=30
MinJobAge=600
NodeName=localhost NodeAddr=127.0.0.1 $node State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF=$dir/slurm.conf
  slurmctld -c
  slurmd -N localhost
  # Up when the node takes jobs.
  for _ in $(seq 1 60); do
    if sinfo -h -N -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
      echo "export SLURM_CONF=$SLURM_CONF"
      return 0
    fi
    sleep 0.5
  done
  echo "the test cluster did not come up; logs in $dir/log" >&2
  tail -n 20 "$dir"/log/*.log >&2 || true
  stop
  exit 1
}

stop_pid() {
  local file=$1 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

stop() {
  # slurmd first, so no job outlives the controller that would have tracked it.
  stop_pid "$dir/slurmd.pid"
  stop_pid "$dir/slurmctld.pid"
  stop_pid "$dir/munge/munged.pid"
}

case $action in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
