#!/usr/bin/env bash
# A one-node Slurm cluster for the Slurm executor tests (crates.md §10): installs slurm-wlm and
# munge from apt when missing, starts munged, slurmctld and slurmd without systemd (state in
# /tmp/rookery-slurm), waits until the node is idle, and prints ROOKERY_TEST_SLURM=1.
# Stop it with scripts/slurm-stop.sh. Needs root (it runs the daemons as root).
set -euo pipefail
S=/tmp/rookery-slurm
if ! command -v sbatch >/dev/null || ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends slurm-wlm munge >&2
fi
[ "$(id -u)" = 0 ] || { echo "slurm-start.sh: needs root" >&2; exit 1; }
bash "$(dirname "$0")/slurm-stop.sh" >/dev/null 2>&1 || true
mkdir -p $S/state $S/spool /var/run/munge /etc/slurm
chown munge:munge /var/run/munge 2>/dev/null || true
[ -s /etc/munge/munge.key ] || { dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged
H=$(hostname -s)
CPUS=$(nproc)
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=rookery
SlurmctldHost=$H
SlurmUser=root
SlurmctldPort=6917
SlurmdPort=6918
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/slurmctld.log
SlurmdLogFile=$S/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobCompType=jobcomp/filetxt
JobCompLoc=$S/jobcomp.txt
ReturnToService=2
MpiDefault=none
NodeName=$H CPUs=$CPUS RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=$H Default=YES MaxTime=INFINITE State=UP
CONF
/usr/sbin/slurmctld -c
/usr/sbin/slurmd
for _ in $(seq 1 60); do
  if sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
    echo "ROOKERY_TEST_SLURM=1"
    exit 0
  fi
  sleep 1
done
echo "slurm-start.sh: the node did not become idle; see $S/slurmctld.log and $S/slurmd.log" >&2
exit 1
