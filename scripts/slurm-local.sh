#!/usr/bin/env bash
# A real one-node Slurm on 127.0.0.1 for the launcher tests (tst_SlurmLauncher) and for trying
# `fxs-server --launcher slurm` by hand: munge, slurmctld and slurmd as root, no systemd, no cgroups.
#
#   scripts/slurm-local.sh start    # prints `export SLURM_CONF=…`; exit 0 once the node is idle
#   scripts/slurm-local.sh stop     # cancels its jobs, stops the daemons this script started (by their pid files)
#   scripts/slurm-local.sh clear    # cancels every job (allocations left behind by killed servers)
#   scripts/slurm-local.sh status
#
# Everything lives under $FXS_SLURM_DIR (default /tmp/fxs-slurm): slurm.conf, state, spool, logs, pid files.
# Exit 3 when Slurm cannot start here (not root, packages missing, a daemon that does not come up), with the
# reason on stderr: the tests skip with that message.
set -u
DIR=${FXS_SLURM_DIR:-/tmp/fxs-slurm}
CONF=$DIR/slurm.conf
HOST=$(hostname -s)

cannot() { echo "slurm-local: $*" >&2; exit 3; }

write_conf() {
  mkdir -p "$DIR/state" "$DIR/spool"
  # CPUs: at least 8 whatever the machine, with config_overrides, so that tests of 2-3 ranks fit on 2 cores
  # (ranks sleep or share cores, as mpirun --oversubscribe lets them).
  local cpus; cpus=$(nproc); (( cpus < 8 )) && cpus=8
  cat > "$CONF" <<CONF
ClusterName=fxslocal
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=${FXS_SLURM_PORT:-6817}
SlurmdPort=$(( ${FXS_SLURM_PORT:-6817} + 1 ))
AuthType=auth/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SlurmdParameters=config_overrides
MpiDefault=none
ReturnToService=2
KillWait=2
MinJobAge=600
InactiveLimit=0
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
}

running() { [[ -f $DIR/$1.pid ]] && kill -0 "$(cat "$DIR/$1.pid")" 2>/dev/null; }

start() {
  [[ $(id -u) -eq 0 ]] || cannot "needs root (slurmd runs as root here)"
  for b in slurmctld slurmd srun salloc scancel sinfo munge; do
    command -v "$b" >/dev/null || cannot "$b is missing: packaging/install-deps installs slurmctld slurmd slurm-client munge"
  done
  if ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
    /etc/init.d/munge start >/dev/null 2>&1 || true
    for _ in $(seq 50); do munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
    munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 || cannot "munged does not start (/etc/init.d/munge start)"
  fi
  export SLURM_CONF=$CONF
  if running slurmctld && running slurmd && sinfo -h -o %T 2>/dev/null | grep -Eq '^(idle|mixed|allocated)'; then
    echo "export SLURM_CONF=$CONF"
    return 0
  fi
  write_conf
  # -c: a fresh controller forgets the jobs of an earlier one (allocations left by killed servers would hold the
  # node's CPUs and leave the next jobs pending for ever).
  running slurmctld || slurmctld -c -f "$CONF" || cannot "slurmctld does not start; see $DIR/slurmctld.log"
  running slurmd || slurmd -f "$CONF" || cannot "slurmd does not start; see $DIR/slurmd.log"
  for _ in $(seq 150); do
    state=$(sinfo -h -o %T 2>/dev/null | head -1)
    [[ $state == idle || $state == mixed || $state == allocated ]] && { echo "export SLURM_CONF=$CONF"; return 0; }
    [[ $state == down* || $state == drain* ]] && scontrol update nodename="$HOST" state=resume >/dev/null 2>&1
    sleep 0.2
  done
  cannot "the node did not become idle within 30 s (sinfo: ${state:-nothing}); see $DIR/slurmctld.log and $DIR/slurmd.log"
}

# Cancels every job of this Slurm (leftovers of killed servers), so that the node is free again.
clear_jobs() {
  export SLURM_CONF=$CONF
  running slurmctld || return 0
  squeue -h -o %i 2>/dev/null | xargs -r scancel 2>/dev/null
  for _ in $(seq 100); do [[ -z $(squeue -h -o %i 2>/dev/null) ]] && return 0; sleep 0.1; done
}

stop() {
  clear_jobs
  for d in slurmd slurmctld; do
    if running "$d"; then
      pid=$(cat "$DIR/$d.pid"); kill "$pid"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  done
  echo "slurm-local: stopped"
}

case "${1:-}" in
  start) start ;;
  clear) clear_jobs ;;
  stop) stop ;;
  status) export SLURM_CONF=$CONF; sinfo && squeue ;;
  *) echo "usage: $0 start|stop|clear|status" >&2; exit 2 ;;
esac
