#!/usr/bin/env bash
# Runs a few chained rules of the workflow through a real one-node SLURM cluster on this machine,
# with this profile, and again locally, and checks that both give the same numbers.
#
#   sudo workflow/profiles/slurm/check.sh        (or: make slurm-check)
#
# Needs root (it installs slurm-wlm and munge with apt-get when absent and runs the daemons) and
# the project's .venv (make setup). Everything it writes (slurm.conf, munge key, daemon state,
# logs, both runs' results) lives in one temporary directory, removed at the end unless
# SLURM_CHECK_KEEP=1; the daemons it starts are stopped on exit, on failure too.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
VENV=$REPO/.venv
PROFILE=$REPO/workflow/profiles/slurm
# slurm.conf names them; the profile's config.yaml keeps a cluster user's placeholders, so the
# run below overrides both on the command line, as a user trying a profile would.
ACCOUNT=poseembed
PARTITION=poseembed
TARGETS=(
    results/curriculum/samples.parquet
    results/crops/vault/vault_000.npy
    results/crops/vault/vault_001.npy
)

say() { printf 'slurm-check: %s\n' "$*"; }
die() {
    printf 'slurm-check: FAILED: %s\n' "$*" >&2
    exit 1
}

[[ $(id -u) == 0 ]] ||
    die "run as root: it installs packages and starts munged, slurmctld and slurmd"
[[ -x $VENV/bin/snakemake ]] || die "no $VENV/bin/snakemake: run 'make setup' first"
START=$SECONDS

# --- 1. packages ------------------------------------------------------------------------------
missing=()
for pkg in slurm-wlm munge; do
    if [[ $(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true) != installed ]]; then
        missing+=("$pkg")
    fi
done
if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    # The packages' maintainer scripts would start the system's own munged/slurmd/slurmctld;
    # a policy-rc.d that refuses keeps this check the only owner of the daemons it runs.
    policy=/usr/sbin/policy-rc.d
    own_policy=''
    if [[ ! -e $policy ]]; then
        own_policy=1
        trap 'rm -f "$policy"' EXIT
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
    fi
    apt-get update -qq || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
    if [[ -n $own_policy ]]; then
        rm -f "$policy"
        trap - EXIT
    fi
fi

# --- 2. the cluster ---------------------------------------------------------------------------
# The daemons and this script find the cluster's slurm.conf by -f and SLURM_CONF, but the
# slurm-jobstep plugin clears every SLURM_* variable but the job's identity before its srun in
# the job, so that srun reads the default path, as on a real cluster's nodes: a link there for
# the check's duration, only where the host has no SLURM configuration of its own.
DEFAULT_CONF=/etc/slurm/slurm.conf
if [[ -e $DEFAULT_CONF || -L $DEFAULT_CONF ]]; then
    die "$DEFAULT_CONF exists: this host has a SLURM of its own, whose configuration the" \
        "job steps of the check's cluster would read"
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/poseembed-slurm-check.XXXXXX")
CONF=$WORK/etc/slurm.conf
# Every process this check starts carries this variable: the sweep at exit finds leftover job
# processes by it and by nothing broader, so it cannot touch anything it did not start.
MARK=POSEEMBED_SLURM_CHECK_RUN=$WORK
MUNGED_PID='' CTLD_PID='' SLURMD_PID='' SNAKEMAKE_PID=''

stop() {
    local pid=$1 i
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$? i d
    set +e
    trap - EXIT INT TERM
    # Interrupted mid-run: snakemake would wait for its jobs (SIGTERM) or find SIGINT ignored
    # (a background job of a script); the check is over, so it goes at once, its jobs after it.
    if [[ -n $SNAKEMAKE_PID ]]; then kill -KILL "$SNAKEMAKE_PID" 2>/dev/null; fi
    if [[ -n $CTLD_PID ]] && kill -0 "$CTLD_PID" 2>/dev/null; then
        # slurmstepd and the jobs outlive slurmd: cancel what is left before stopping it.
        SLURM_CONF=$CONF scancel --quiet --user=root 2>/dev/null
        for ((i = 0; i < 60; i++)); do
            [[ -z $(SLURM_CONF=$CONF squeue -h -t PD,R,CG 2>/dev/null) ]] && break
            sleep 0.5
        done
    fi
    stop "$SLURMD_PID"
    stop "$CTLD_PID"
    stop "$MUNGED_PID"
    if [[ $(readlink "$DEFAULT_CONF" 2>/dev/null) == "$CONF" ]]; then rm -f "$DEFAULT_CONF"; fi
    for d in /proc/[0-9]*; do
        if grep -qzx -- "$MARK" "$d/environ" 2>/dev/null; then
            say "killing leftover process ${d#/proc/}: $(tr '\0' ' ' <"$d/cmdline" 2>/dev/null)"
            kill -KILL "${d#/proc/}" 2>/dev/null
        fi
    done
    if ((rc != 0)); then
        # munged in the foreground logs to stderr; slurmctld and slurmd to their log files.
        for f in "$WORK"/log/{munged.out,slurmctld.log,slurmd.log}; do
            [[ -s $f ]] || continue
            printf '\n--- last lines of %s\n' "$f" >&2
            tail -n 30 "$f" >&2
        done
    fi
    if [[ ${SLURM_CHECK_KEEP:-0} == 1 ]]; then
        say "kept $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$WORK"/{etc,munge,state,spool,log,run}
chmod 700 "$WORK/munge"

free_port() {
    "$VENV/bin/python" -c \
        'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# Ports of their own, so that a SLURM the host may already run keeps its 6817/6818.
CTLD_PORT=$(free_port)
SLURMD_PORT=$(free_port)
while [[ $SLURMD_PORT == "$CTLD_PORT" ]]; do SLURMD_PORT=$(free_port); done

# The node as slurmd sees it (CPUs, sockets, cores, threads, RealMemory), so that it is not
# drained for claiming more than it has.
NODE=$(slurmd -C | head -n 1)
HOST=$(sed -n 's/^NodeName=\([^ ]*\).*/\1/p' <<<"$NODE")
[[ -n $HOST ]] || die "slurmd -C gave no NodeName: $NODE"

gres_line=
node_gres=
if command -v nvidia-smi >/dev/null && gpus=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU '); then
    if ((gpus > 0)); then
        gres_line=GresTypes=gpu
        node_gres="Gres=gpu:$gpus"
        printf 'NodeName=%s Name=gpu File=/dev/nvidia[0-%d]\n' "$HOST" $((gpus - 1)) \
            >"$WORK/etc/gres.conf"
        say "$gpus GPU(s): Gres=gpu:$gpus"
    fi
fi

# No accounting database. The plugin watches its jobs with sacct by default, and sacct without
# slurmdbd only answers "Slurm accounting storage is disabled"; slurmdbd would need a MySQL or
# MariaDB server set up as well. squeue asks slurmctld itself, which keeps finished jobs for
# MinJobAge seconds: an hour here, far above the 3 x --slurm-init-seconds-before-status-checks
# under which the plugin goes back to sacct. The job completion log keeps every job's final
# state for the check after the run. Accounts live in that database too, so here an account is
# a label: the plugin, finding none to validate it against (sacctmgr fails, sshare lists none),
# passes it to sbatch as given and the completion log records it (AllowAccounts would hold every
# job: without a database a job's account is "not known"). The partition is real: the profile's
# placeholder would be refused. proctrack/linuxproc and task/none need no cgroups, which a
# container seldom grants.
cat >"$CONF" <<EOF
ClusterName=poseembedcheck
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$WORK/munge/munge.socket
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/run/slurmctld.pid
SlurmdPidFile=$WORK/run/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$WORK/log/jobcomp.txt
MinJobAge=3600
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
$gres_line
$NODE NodeAddr=127.0.0.1 $node_gres State=UNKNOWN
PartitionName=$PARTITION Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF

mkdir -p "$(dirname "$DEFAULT_CONF")"
ln -s "$CONF" "$DEFAULT_CONF"

# A key and socket of this check's own: a munged the host may run keeps its key and socket.
if [[ ! -s $WORK/munge/munge.key ]]; then
    mungekey --create --keyfile="$WORK/munge/munge.key" 2>/dev/null ||
        dd if=/dev/urandom of="$WORK/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$WORK/munge/munge.key"
fi
say "starting munged, slurmctld and slurmd ($WORK)"
# Each daemon in a session of its own: a Ctrl-C at the terminal reaches this script, whose exit
# trap stops them in order (jobs cancelled first), not the daemons behind its back.
env "$MARK" setsid munged --foreground --force \
    --socket="$WORK/munge/munge.socket" --key-file="$WORK/munge/munge.key" \
    --pid-file="$WORK/run/munged.pid" --log-file="$WORK/log/munged.log" \
    --seed-file="$WORK/munge/munged.seed" >>"$WORK/log/munged.out" 2>&1 &
MUNGED_PID=$!
for ((i = 0; i < 50; i++)); do
    [[ -S $WORK/munge/munge.socket ]] && break
    kill -0 "$MUNGED_PID" 2>/dev/null || die "munged exited (see its output below)"
    sleep 0.2
done
munge --socket="$WORK/munge/munge.socket" -n | unmunge --socket="$WORK/munge/munge.socket" \
    >/dev/null || die "munged does not answer on its socket"

export SLURM_CONF=$CONF
env "$MARK" setsid slurmctld -D -i -f "$CONF" >>"$WORK/log/slurmctld.out" 2>&1 &
CTLD_PID=$!
for ((i = 0; i < 100; i++)); do
    scontrol ping 2>/dev/null | grep -q 'is UP' && break
    kill -0 "$CTLD_PID" 2>/dev/null || die "slurmctld exited (see its log below)"
    sleep 0.2
done
env "$MARK" setsid slurmd -D -f "$CONF" -N "$HOST" >>"$WORK/log/slurmd.out" 2>&1 &
SLURMD_PID=$!
state=
for ((i = 0; i < 150; i++)); do
    state=$(sinfo -h -N -n "$HOST" -o %t 2>/dev/null || true)
    [[ $state == idle ]] && break
    kill -0 "$SLURMD_PID" 2>/dev/null || die "slurmd exited (see its log below)"
    sleep 0.2
done
[[ $state == idle ]] || die "node $HOST is '$state', not idle: $(sinfo -h -N -o '%N %t %E' 2>&1)"
say "node $HOST idle after $((SECONDS - START)) s: $(sinfo -h -N -o '%N %c CPUs, %m MB, %G')"

# --- 3. the workflow through SLURM, 4. and locally --------------------------------------------
# The keys of the test suite's tiny config: one category, the fewest videos it allows.
for run in slurm local; do
    mkdir -p "$WORK/$run"
    cat >"$WORK/$run/config.yaml" <<'EOF'
dataset:
  categories: [vault]
synthetic:
  videos_per_category: 3
  anchors_per_category: 3
  positives_per_anchor: 2
  negatives_per_anchor: 6
  stills: 8
curriculum:
  stages: 2
EOF
done

# --default-resources on the command line replaces the profile's list as a whole: keep its
# runtime, memory and CPUs and swap in this cluster's account and partition.
mapfile -t resources < <("$VENV/bin/python" - "$PROFILE/config.yaml" "$ACCOUNT" "$PARTITION" <<'EOF'
import sys

import yaml

profile, account, partition = sys.argv[1:]
resources = yaml.safe_load(open(profile))["default-resources"]
resources |= {"slurm_account": account, "slurm_partition": partition}
for key, value in resources.items():
    print(f"{key}={value!r}" if isinstance(value, str) else f"{key}={value}")
EOF
)

# snakemake in the background, waited for: a signal to this script then runs its exit trap at
# once instead of after snakemake.
snakemake_in() {
    local run=$1 rc=0
    shift
    (cd "$WORK/$run" && exec env "$MARK" PATH="$VENV/bin:$PATH" "$VENV/bin/snakemake" \
        --snakefile "$REPO/Snakefile" --directory "$WORK/$run" "$@" "${TARGETS[@]}") \
        >"$WORK/log/snakemake-$run.log" 2>&1 &
    SNAKEMAKE_PID=$!
    wait "$SNAKEMAKE_PID" || rc=$?
    SNAKEMAKE_PID=''
    if ((rc != 0)); then
        tail -n 60 "$WORK/log/snakemake-$run.log" >&2
        die "the $run run failed"
    fi
}

say "running ${TARGETS[*]} through SLURM"
t0=$SECONDS
# The jobs re-run snakemake in the submitting environment (sbatch --export=ALL), hence the venv
# first on PATH. Status checks start after 5 s instead of 40: the jobs here take seconds.
snakemake_in slurm --profile "$PROFILE" --default-resources "${resources[@]}" \
    --slurm-status-command squeue --slurm-init-seconds-before-status-checks 5 \
    --slurm-keep-successful-logs
say "SLURM run: $((SECONDS - t0)) s"

say "running the same targets locally (--cores 2)"
t0=$SECONDS
snakemake_in local --cores 2
say "local run: $((SECONDS - t0)) s"

# --- the jobs went through SLURM --------------------------------------------------------------
# Every job of the run must have been submitted (the plugin's log line names its SLURM id) and
# must have finished COMPLETED in this cluster's completion log, in its partition and account.
mapfile -t ids < <(sed -n 's/.*has been submitted with SLURM jobid \([0-9]*\).*/\1/p' \
    "$WORK/log/snakemake-slurm.log")
steps=$(sed -n 's/^\([0-9]*\) of \1 steps (100%) done$/\1/p' "$WORK/log/snakemake-slurm.log" |
    tail -n 1)
[[ -n $steps ]] || die "the SLURM run's log has no 'N of N steps (100%) done'"
((${#ids[@]} == steps)) ||
    die "${#ids[@]} SLURM job ids in the log for $steps jobs (a job failed and was retried?)"
for id in "${ids[@]}"; do
    record=$(grep -E "^JobId=$id " "$WORK/log/jobcomp.txt" || true)
    [[ -n $record ]] || die "SLURM job $id is not in the completion log"
    for want in JobState=COMPLETED "Partition=$PARTITION" "Account=$ACCOUNT" "ExitCode=0:0"; do
        [[ " $record " == *" $want "* ]] || die "SLURM job $id: no $want in: $record"
    done
done
say "$steps jobs ran as SLURM jobs ${ids[*]}, each COMPLETED in partition $PARTITION"

# --- the same numbers -------------------------------------------------------------------------
"$VENV/bin/python" - "$WORK/local/results" "$WORK/slurm/results" <<'EOF' ||
import sys
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

local, slurm = map(Path, sys.argv[1:])
# Logs and timings differ by nature; every artifact must not.
SKIP = {"logs", "benchmarks"}


def files(root):
    paths = (p.relative_to(root) for p in root.rglob("*") if p.is_file())
    return {p for p in paths if p.parts[0] not in SKIP}


def arrays_equal(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    return np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")


def h5_items(path):
    """Every dataset and attribute of an HDF5 file by name."""
    out = {}

    def add(name, obj):
        if isinstance(obj, h5py.Dataset):
            out[name] = obj[()]
        out.update({f"{name}@{k}": v for k, v in obj.attrs.items()})

    with h5py.File(path) as f:
        out.update({f"@{k}": v for k, v in f.attrs.items()})
        f.visititems(add)
    return out


def same(a, b):
    suffix = a.suffix
    if suffix in (".parquet", ".csv"):
        read = pd.read_parquet if suffix == ".parquet" else pd.read_csv
        try:
            pd.testing.assert_frame_equal(read(a), read(b), check_exact=True)
        except AssertionError:
            return False
        return True
    if suffix == ".npy":
        return arrays_equal(np.load(a), np.load(b))
    if suffix == ".npz":
        with np.load(a) as x, np.load(b) as y:
            return set(x) == set(y) and all(arrays_equal(x[k], y[k]) for k in x)
    if suffix in (".h5", ".hdf5"):
        x, y = h5_items(a), h5_items(b)
        return x.keys() == y.keys() and all(arrays_equal(x[k], y[k]) for k in x)
    # Videos, boxes, frame lists, figures: written deterministically, so byte for byte.
    return a.read_bytes() == b.read_bytes()


ours, theirs = files(local), files(slurm)
problems = [f"only in the local run: {p}" for p in sorted(ours - theirs)]
problems += [f"only in the SLURM run: {p}" for p in sorted(theirs - ours)]
problems += [f"differs: {p}" for p in sorted(ours & theirs) if not same(local / p, slurm / p)]
if problems:
    sys.exit("\n".join(problems))
print(f"slurm-check: {len(ours)} artifacts equal in both runs")
EOF
    die "the SLURM run's artifacts are not the local run's"
say "passed in $((SECONDS - START)) s"
