#!/usr/bin/env bash
# Stops the one-node Slurm cluster of scripts/slurm-start.sh.
S=/tmp/rookery-slurm
for p in slurmd slurmctld; do
  [ -f $S/$p.pid ] && kill "$(cat $S/$p.pid)" 2>/dev/null
  pkill -x $p 2>/dev/null
done
rm -f $S/*.pid
exit 0
