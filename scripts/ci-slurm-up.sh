#!/usr/bin/env bash
# Starts a one-node SLURM cluster on this machine, for CI and for trying scripts/slurm-sweep.sh on a
# laptop: installs Debian's slurm-wlm and munge if missing, writes /etc/slurm/slurm.conf for this
# host (every CPU and nearly all the memory of the machine, one partition `debug`, no cgroups:
# proctrack/linuxproc, task/none, no accounting), starts munged, slurmctld and slurmd, and checks
# that `sinfo` shows the node idle and `srun hostname` runs. Daemons, state, spool and logs live
# under $PATCHWORK_SLURM_DIR (default /tmp/patchwork-slurm); the daemons run as root.
#
# Usage: scripts/ci-slurm-up.sh          start the cluster (does nothing if it already runs)
#        scripts/ci-slurm-up.sh stop     stop the daemons this script started
#
# Needs root (or sudo) and a Debian-like machine. It refuses to replace a slurm.conf it did not
# write, so it never touches a real cluster's configuration. Exits 1, with the daemons' logs, if
# the cluster does not come up.
set -euo pipefail

state="${PATCHWORK_SLURM_DIR:-/tmp/patchwork-slurm}"
conf=/etc/slurm/slurm.conf
marker="# Written by patchwork's scripts/ci-slurm-up.sh"

fail() {
    echo "ci-slurm-up.sh: $*" >&2
    for log in "$state/slurmctld.log" "$state/slurmd.log" /var/log/munge/munged.log; do
        if [[ -s "$log" ]]; then
            echo "--- last lines of $log" >&2
            tail -n 20 "$log" >&2
        fi
    done
    exit 1
}

as_root=()
if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null || fail "needs root (or sudo) to install and start SLURM"
    as_root=(sudo)
fi

running() { [[ -s "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop() {
    local pid_file
    for pid_file in "$state/slurmd.pid" "$state/slurmctld.pid" "$state/munged.pid"; do
        if running "$pid_file"; then
            local pid
            pid="$(cat "$pid_file")"
            "${as_root[@]}" kill "$pid"
            for _ in $(seq 50); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.2
            done
            echo "stopped $(basename "$pid_file" .pid)"
        fi
    done
}

if [[ "${1:-}" == stop ]]; then
    stop
    exit 0
elif [[ $# -gt 0 ]]; then
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
fi

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null || ! command -v sbatch >/dev/null; then
    echo "installing Debian's slurm-wlm and munge"
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null ||
        fail "apt-get install slurm-wlm munge failed"
fi

if running "$state/slurmctld.pid" && running "$state/slurmd.pid" &&
    sinfo -h -N -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
    echo "SLURM already running:"
    sinfo
    exit 0
fi
stop

host="$(hostname -s)"
# `slurmd -C` prints this node as slurm.conf describes it: CPUs, sockets, cores, threads, memory.
node="$(slurmd -C | head -n 1)"
[[ "$node" == NodeName=* ]] || fail "slurmd -C printed no node line: $node"
# Leave 512 MB of the memory to the system.
memory="$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$node")"
node="${node/RealMemory=$memory/RealMemory=$((memory > 1024 ? memory - 512 : memory))}"

if [[ -e "$conf" ]] && ! grep -qF "$marker" "$conf"; then
    fail "$conf exists and was not written by this script: not replacing a real cluster's configuration"
fi
"${as_root[@]}" mkdir -p "$state/ctld" "$state/spool" /etc/slurm
"${as_root[@]}" tee "$conf" >/dev/null <<EOF
$marker: a one-node cluster for tests.
ClusterName=patchwork
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
MinJobAge=600
KillWait=5
SlurmctldTimeout=30
SlurmdTimeout=60
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
${node/NodeName=$host/NodeName=$host NodeAddr=127.0.0.1} State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

# munge: the key Debian's package made (or a new one), run as the munge user.
if [[ ! -s /etc/munge/munge.key ]]; then
    "${as_root[@]}" mungekey --create --keyfile=/etc/munge/munge.key
    "${as_root[@]}" chown munge:munge /etc/munge/munge.key
    "${as_root[@]}" chmod 600 /etc/munge/munge.key
fi
"${as_root[@]}" mkdir -p /run/munge /var/lib/munge /var/log/munge
"${as_root[@]}" chown munge:munge /run/munge /var/lib/munge /var/log/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    "${as_root[@]}" runuser -u munge -- /usr/sbin/munged --force ||
        fail "munged did not start"
    "${as_root[@]}" cp /run/munge/munged.pid "$state/munged.pid"
fi
munge -n | unmunge >/dev/null || fail "munge does not work (munge -n | unmunge)"

"${as_root[@]}" slurmctld -i || fail "slurmctld did not start"
"${as_root[@]}" slurmd || fail "slurmd did not start"

for _ in $(seq 60); do
    if sinfo -h -N -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)$'; then
        break
    fi
    sleep 1
done
sinfo -h -N -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)$' ||
    fail "the node did not come up within 60 s (sinfo: $(sinfo -h -N -o '%N %t %E' 2>&1))"
timeout 60 srun -N 1 -t 1 hostname >/dev/null || fail "srun hostname failed"
echo "SLURM is up (configuration $conf, state and logs under $state):"
sinfo
