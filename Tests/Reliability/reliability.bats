#!/usr/bin/env bats
# Crash consistency and concurrency of an OCI runtime (issue 9): the fault-injection run (scripts/faults.sh) and the
# concurrency run (scripts/concurrency.sh), each failing on any leftover, plus a check that the leftover detector
# itself sees a planted leftover of every kind (so a green run means something).
#
#   bats Tests/Reliability                         against .build/release/taurun
#   RUNTIME=runc bats Tests/Reliability            against any runtime binary
#   FAULTS_N=1000 FAULTS_SEED=7 bats Tests/Reliability
#
# Runs as root on a host with the busybox rootfs (make rootfs). Each script is bounded by timeout(1) and cleans up
# after itself; only containers, cgroups and processes the scripts made are ever touched.

bats_require_minimum_version 1.5.0

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
RUNTIME=${RUNTIME:-$REPO_ROOT/.build/release/taurun}
export REL_ROOTFS=${ROOTFS_SRC:-$REPO_ROOT/build/rootfs}

setup() {
    if [[ ! -x $RUNTIME ]] && ! command -v "$RUNTIME" > /dev/null; then
        echo "runtime $RUNTIME not found (make build, or set RUNTIME)" >&2
        return 1
    fi
    if [[ ! -x $REL_ROOTFS/bin/busybox ]]; then
        echo "rootfs $REL_ROOTFS missing (make rootfs)" >&2
        return 1
    fi
}

# The planted-leftover test removes what it planted even when it fails half-way.
teardown() {
    if [[ -n ${PLANT_ID:-} ]]; then
        rel_scrub "$PLANT_ID" "$PLANT_DIR" "$PLANT_MARK"
        rel_finish
    fi
}

# Runs a script with bats' fd 3 closed (a leaked container process would otherwise hold the TAP stream open), bounded
# by $1 seconds; its whole output goes to $BATS_TEST_TMPDIR/log and is shown when the test fails. Sets $status.
run_script() {
    local limit=$1
    shift
    status=0
    timeout -k 10 "$limit" "$@" < /dev/null > "$BATS_TEST_TMPDIR/log" 2>&1 3>&- || status=$?
}

# Fails unless the script exited 0 and its last line says "N passed, 0 failed" with N = $1.
expect_all_passed() {
    local want=$1 last
    last=$(tail -n 1 "$BATS_TEST_TMPDIR/log")
    if (( status != 0 )) || [[ $last != "$want passed, 0 failed" ]]; then
        cat "$BATS_TEST_TMPDIR/log" >&2
        echo "exit $status; last line \"$last\", wanted \"$want passed, 0 failed\"" >&2
        return 1
    fi
    # The per-phase table, for the TAP log.
    grep -E '^(phase|test|create|start|run|run-d|kill|delete|same-id|mixed|other|time)' "$BATS_TEST_TMPDIR/log" \
        | sed 's/^/# /' >&3
}

@test "leftover detector reports a planted mount, cgroup, state entry and process, and scrubs them" {
    source "$REPO_ROOT/Tests/Reliability/leftovers.bash"
    TMPDIR=$BATS_TEST_TMPDIR rel_init "$RUNTIME" planted
    PLANT_ID="plant$$z" PLANT_MARK="plantmark-$$-z" PLANT_DIR="$REL_WORK/bplant"
    local id=$PLANT_ID mark=$PLANT_MARK dir=$PLANT_DIR hier=""
    rel_make_bundle "$dir" "$mark"
    mkdir -p "$REL_STATE/$id"
    mount -t tmpfs planted "$dir/rootfs/tmp"
    # A cgroup in the first v1 controller hierarchy (or the unified one) that the script itself creates.
    for h in "${REL_CGROUP_MOUNTS[@]}"; do
        [[ $h == */pids || $h == */unified ]] && { hier=$h; break; }
    done
    [[ -n $hier ]] && mkdir "$hier/$id"
    env "RELIABILITY_MARK=$mark" sleep 60 3>&- &
    local planted_pid=$!
    run rel_leftovers "$id" "$dir" "$mark" 0
    echo "$output"
    [[ $output == *"mount: $dir/rootfs/tmp"* ]]
    [[ -z $hier || $output == *"cgroup: $hier/$id"* ]]
    [[ $output == *"state: $REL_STATE/$id"* ]]
    [[ $output == *"process: $planted_pid("* ]]
    rel_scrub "$id" "$dir" "$mark"
    run rel_leftovers "$id" "$dir" "$mark" 0
    [[ -z $output ]]
    wait "$planted_pid" 2> /dev/null || true
}

@test "fault injection: SIGKILL at random instants of create/start/run/run -d/kill/delete leaves nothing" {
    local n=${FAULTS_N:-200} seed=${FAULTS_SEED:-20261123}
    # ~0.4 s per iteration on an idle 2-core machine; the bound allows a loaded one.
    run_script $((n * 3 + 120)) "$REPO_ROOT/scripts/faults.sh" "$RUNTIME" "$n" "$seed"
    expect_all_passed "$n"
}

@test "fault injection on Tau app bundles: the security monitor never outlives its container" {
    local n=${FAULTS_TAU_N:-60} seed=${FAULTS_SEED:-20261123}
    REL_TAU=1 run_script $((n * 3 + 120)) "$REPO_ROOT/scripts/faults.sh" "$RUNTIME" "$n" "$seed"
    expect_all_passed "$n"
}

@test "concurrency: 10 rounds of 10 simultaneous commands on one id, and other ids never wait" {
    local rounds=${CONCURRENCY_ROUNDS:-10} n=${CONCURRENCY_N:-10}
    run_script $((rounds * 60 + 120)) "$REPO_ROOT/scripts/concurrency.sh" "$RUNTIME" "$rounds" "$n"
    expect_all_passed $((rounds * 3))
}
