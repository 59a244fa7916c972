#!/usr/bin/env bash
# A throwaway Slurm cluster on this host, for the Slurm launcher's tests and for trying
# `exp run --launcher slurm` without a real cluster. No systemd needed; run as root.
#
#   bash scripts/slurm-cluster.sh start        # munged, slurmctld and two slurmd "nodes"
#   bash scripts/slurm-cluster.sh env          # prints: export SLURM_CONF=...
#   bash scripts/slurm-cluster.sh status       # sinfo
#   bash scripts/slurm-cluster.sh kill-node n1 # a node failure: its slurmd and its jobs die
#   bash scripts/slurm-cluster.sh start-node n1
#   bash scripts/slurm-cluster.sh stop         # everything it started, and its state
#
# The cluster: nodes n1 and n2 on this host (slurmd -N, each on its own port), each with
# 2 CPUs, 3000 MB and two fake GPUs (character devices, so Slurm hands each job its own
# CUDA_VISIBLE_DEVICES); partition `debug`. MaxArraySize is 3 on purpose, so that a sweep of
# four trials needs two job arrays. State lives in $EXP_SLURM_DIR (default /tmp/exp-slurm).
set -euo pipefail

dir="${EXP_SLURM_DIR:-/tmp/exp-slurm}"
conf="$dir/etc/slurm.conf"
nodes=(n1 n2)
ctld_port="${EXP_SLURM_PORT:-16817}"

node_port() { case "$1" in n1) echo $((ctld_port + 1));; n2) echo $((ctld_port + 2));; *) echo "unknown node $1" >&2; exit 2;; esac; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_munge() {
  # One munged serves every daemon and client on the host; an already running one is kept.
  if [ -S /run/munge/munge.socket.2 ] && munge -n </dev/null >/dev/null 2>&1; then return; fi
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
  fi
  chown munge:munge /etc/munge /etc/munge/munge.key
  chmod 700 /etc/munge
  chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge
  chmod 755 /run/munge
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 50); do munge -n </dev/null >/dev/null 2>&1 && return; sleep 0.1; done
  echo "munged did not start" >&2; exit 1
}

write_config() {
  mkdir -p "$dir"/{etc,state,log,dev,jobcomp}
  for node in "${nodes[@]}"; do
    mkdir -p "$dir/spool/$node"
    for gpu in 0 1; do
      # Fake GPUs: Slurm only needs a device file per GPU; c 1 3 is /dev/null's device.
      [ -e "$dir/dev/$node-nvidia$gpu" ] || mknod "$dir/dev/$node-nvidia$gpu" c 1 3
    done
  done
  local host; host="$(hostname -s)"
  cat >"$conf" <<EOF
ClusterName=exp-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# Credentials that expire after 10 s: with the default, a requeued job waits 121 s to start again.
AuthInfo=cred_expire=10
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd-%n.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd-%n.log
# No cgroups here: processes are tracked through /proc, tasks are not confined.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# Without a default, each job would take all of its node's memory.
DefMemPerCPU=500
# The nodes claim what they are told, not what this host has.
SlurmdParameters=config_overrides
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp/jobs.txt
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1,bf_interval=1
# A node that stops answering is DOWN after 6 s (default 300), and its jobs are requeued.
SlurmdTimeout=6
SlurmctldTimeout=10
MessageTimeout=5
ReturnToService=2
KillWait=10
MinJobAge=30
# Small on purpose: a sweep of 4 trials needs two job arrays.
MaxArraySize=3
GresTypes=gpu
EOF
  for node in "${nodes[@]}"; do
    echo "NodeName=$node NodeHostname=$host NodeAddr=127.0.0.1 Port=$(node_port "$node") CPUs=2 RealMemory=3000 Gres=gpu:2 State=UNKNOWN" >>"$conf"
  done
  echo "PartitionName=debug Nodes=$(IFS=,; echo "${nodes[*]}") Default=YES MaxTime=INFINITE State=UP" >>"$conf"
  {
    echo "AutoDetect=off"
    for node in "${nodes[@]}"; do
      echo "NodeName=$node Name=gpu File=$dir/dev/$node-nvidia[0-1]"
    done
  } >"$dir/etc/gres.conf"
}

start_node() {
  local node="$1"
  pid_alive "$dir/slurmd-$node.pid" && return
  SLURM_CONF="$conf" /usr/sbin/slurmd -N "$node"
}

wait_idle() {
  # Until every node is up and the controller answers.
  for _ in $(seq 150); do
    local states
    states="$(SLURM_CONF="$conf" sinfo -h -N -o '%N %t' 2>/dev/null || true)"
    if [ -n "$states" ] && ! grep -qvE ' (idle|mix|alloc)$' <<<"$states"; then return; fi
    sleep 0.2
  done
  echo "the Slurm nodes did not come up:" >&2
  SLURM_CONF="$conf" sinfo -N >&2 || true
  tail -n 20 "$dir"/log/*.log >&2 || true
  exit 1
}

case "${1:-}" in
  start)
    for tool in munged slurmctld slurmd sbatch; do
      command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install slurm-wlm munge" >&2; exit 1; }
    done
    start_munge
    if ! pid_alive "$dir/slurmctld.pid"; then
      rm -rf "$dir/state"
      write_config
      # -i: start without state from an earlier run of this cluster.
      SLURM_CONF="$conf" /usr/sbin/slurmctld -i
    fi
    for node in "${nodes[@]}"; do start_node "$node"; done
    wait_idle
    echo "export SLURM_CONF=$conf"
    ;;
  env)
    echo "export SLURM_CONF=$conf"
    ;;
  status)
    SLURM_CONF="$conf" sinfo -N
    SLURM_CONF="$conf" squeue
    ;;
  kill-node)
    node="${2:?which node? n1 or n2}"
    # A node that dies takes its jobs with it. One kill, at once: its step daemons (first, so
    # that none reports its job's end), its jobs' processes, then its daemon; the controller
    # only notices that the node stopped answering. The jobs train on while this looks for
    # them, so it forks once (one grep over every process's environment), not per process.
    stepds=(); jobs=(); daemon=()
    for environ in $(grep -lzxF "SLURMD_NODENAME=$node" /proc/[0-9]*/environ 2>/dev/null || true); do
      pid="${environ#/proc/}"; pid="${pid%/environ}"
      jobs+=("$pid")
      # /proc/PID/stat is "PID (COMMAND) STATE PPID ...", and COMMAND may hold spaces.
      read -r stat 2>/dev/null <"/proc/$pid/stat" || continue
      read -r _ parent _ <<<"${stat##*) }"
      read -r comm 2>/dev/null <"/proc/$parent/comm" && [ "$comm" = slurmstepd ] && stepds+=("$parent")
    done
    pid_alive "$dir/slurmd-$node.pid" && read -r daemon <"$dir/slurmd-$node.pid"
    pids=("${stepds[@]}" "${jobs[@]}" "${daemon[@]}")
    [ ${#pids[@]} -eq 0 ] || kill -KILL "${pids[@]}" 2>/dev/null || true
    rm -f "$dir/slurmd-$node.pid"
    ;;
  start-node)
    start_node "${2:?which node? n1 or n2}"
    ;;
  stop)
    for pidfile in "$dir"/slurmd-*.pid "$dir/slurmctld.pid"; do
      pid_alive "$pidfile" && kill "$(cat "$pidfile")"
    done
    for pid in $(pgrep -f '^slurmstepd' || true); do
      case "$(readlink "/proc/$pid/cwd" 2>/dev/null)" in "$dir"/*) kill -KILL "$pid" 2>/dev/null || true;; esac
    done
    for _ in $(seq 50); do
      alive=0
      for pidfile in "$dir"/slurmd-*.pid "$dir/slurmctld.pid"; do pid_alive "$pidfile" && alive=1; done
      [ $alive = 0 ] && break
      sleep 0.1
    done
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|env|status|kill-node NODE|start-node NODE|stop" >&2
    exit 2
    ;;
esac
