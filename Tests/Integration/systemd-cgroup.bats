#!/usr/bin/env bats
# --systemd-cgroup on a host where systemd is not PID 1 (this one): the flag fails before anything exists, as
# with runc and crun. Then, for taurun only, the systemd driver against a mock systemd on a private dbus-daemon
# (systemd-mock/, selected with the test-only TAURUN_SYSTEMD_BUS): the scope is started with the container's
# pid, Delegate and the limits, the container sits in the scope in every hierarchy, limits hold, pause/resume
# work, and delete leaves nothing behind. The mock makes the scope's directories in the real v1 hierarchies
# systemd manages (and the hybrid cgroup2 one) and moves the pid there, as systemd does.

load helpers

BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-120}

# A slice of our own, so nothing lands in a slice a real system uses; removed after each test.
SLICE=tauruntest.slice
MOCK_DIR=""

# The hierarchies systemd manages on a v1/hybrid host (the mock makes the scope there; taurun makes the rest).
systemd_hierarchies() {
    local controller mnt
    for controller in memory cpu cpuacct pids devices blkio name=systemd; do
        mnt=$(awk -v want="$controller" '{
            sep = 0
            for (i = 7; i <= NF; i++) if ($i == "-") { sep = i; break }
            if (sep == 0 || $(sep + 1) != "cgroup") next
            n = split($(sep + 3), opts, ",")
            for (j = 1; j <= n; j++) if (opts[j] == want) { print $5; exit }
        }' /proc/self/mountinfo)
        [[ -n $mnt ]] && echo "$mnt"
    done | sort -u
    awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") { print $5; exit } break } }' /proc/self/mountinfo
}

# The container's scope directory in the v1 hierarchy of controller $1.
scope_dir() {
    local mnt
    mnt=$(awk -v want="$1" '{
        sep = 0
        for (i = 7; i <= NF; i++) if ($i == "-") { sep = i; break }
        if (sep == 0 || $(sep + 1) != "cgroup") next
        n = split($(sep + 3), opts, ",")
        for (j = 1; j <= n; j++) if (opts[j] == want) { print $5; exit }
    }' /proc/self/mountinfo)
    echo "$mnt/$SLICE/libpod-$2.scope"
}

start_mock() {
    local args=() h
    while read -r h; do args+=(--hierarchy "$h"); done < <(systemd_hierarchies)
    MOCK_DIR="$BATS_TEST_TMPDIR/mockbus"
    TAURUN_SYSTEMD_BUS=$("$BATS_TEST_DIRNAME/systemd-mock/start-mock-bus.sh" "$MOCK_DIR" "${args[@]}" "$@")
    export TAURUN_SYSTEMD_BUS
}

# The mock's record of calls to $1 (StartTransientUnit, StopUnit, ...), one JSON object per line.
calls_to() {
    jq -c --arg m "$1" 'select(.method == $m)' "$MOCK_DIR/calls.jsonl"
}

# The value of property $2 in the first recorded call to $1, as [type, value].
property_of() {
    calls_to "$1" | head -n1 | jq -c --arg p "$2" '.properties[] | select(.[0] == $p) | .[1:]'
}

test_cleanup() {
    [[ -n $MOCK_DIR ]] && "$BATS_TEST_DIRNAME/systemd-mock/stop-mock-bus.sh" "$MOCK_DIR"
    unset TAURUN_SYSTEMD_BUS
    find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d -name "$SLICE" -exec rmdir {} + 2>/dev/null || true
}

requires_no_systemd() {
    [[ -d /run/systemd/system ]] && skip "systemd is running on this host"
    return 0
}

@test "systemd-cgroup: without systemd, create fails in one line and leaves nothing" {
    requires_no_systemd
    local id
    id=$(new_id)
    cfg '.linux.cgroupsPath = $p' --arg p "$SLICE:test:$id"
    status=0
    timeout -k 5 60 "$RUNTIME" --root "$STATE_ROOT" --systemd-cgroup create --bundle "$BUNDLE" "$id" \
        < /dev/null > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" 3>&- || status=$?
    [ "$status" -ne 0 ]
    if is_taurun; then
        [ "$(wc -l < "$BATS_TEST_TMPDIR/err")" -eq 1 ]
        grep -q "systemd is not running on this host" "$BATS_TEST_TMPDIR/err"
    fi
    run rt state "$id"
    [ "$status" -ne 0 ]
    [ -z "$(find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -name "*$id*")" ]
}

@test "systemd-cgroup: the scope gets the container's pid, Delegate and the limits (mock systemd)" {
    is_taurun || skip "TAURUN_SYSTEMD_BUS is taurun's test hook"
    start_mock
    local id pid
    id=$(new_id)
    cfg '.linux.cgroupsPath = $p | .linux.resources = {memory: {limit: 67108864}, pids: {limit: 40},
         cpu: {shares: 512, quota: 50000, period: 100000}}' --arg p "$SLICE:libpod:$id"
    set_args sleep 300
    rt_files --systemd-cgroup run --detach --bundle "$BUNDLE" "$id"
    [ "$status" -eq 0 ] || { echo "$stderr" >&2; false; }
    wait_status "$id" running
    pid=$(rt state "$id" | jq -r .pid)

    [ "$(calls_to StartTransientUnit | wc -l)" -eq 1 ]
    calls_to StartTransientUnit | jq -e --arg u "libpod-$id.scope" '.unit == $u and .mode == "replace" and .aux == 0'
    [ "$(property_of StartTransientUnit Slice)" = "[\"s\",\"$SLICE\"]" ]
    [ "$(property_of StartTransientUnit PIDs)" = "[\"au\",[$pid]]" ]
    [ "$(property_of StartTransientUnit Delegate)" = '["b",true]' ]
    [ "$(property_of StartTransientUnit MemoryLimit)" = '["t",67108864]' ]
    [ "$(property_of StartTransientUnit TasksMax)" = '["t",40]' ]
    [ "$(property_of StartTransientUnit CPUShares)" = '["t",512]' ]
    [ "$(property_of StartTransientUnit CPUQuotaPerSecUSec)" = '["t",500000]' ]

    # In the scope in every hierarchy, those systemd manages and those taurun made (cpuset, freezer, ...).
    local line lines=0
    while IFS= read -r line; do
        [[ ${line#*:*:} == "/$SLICE/libpod-$id.scope" ]] || { echo "not in the scope: $line" >&2; false; }
        lines=$((lines + 1))
    done < "/proc/$pid/cgroup"
    [ "$lines" -gt 5 ]

    [ "$(cat "$(scope_dir memory "$id")/memory.limit_in_bytes")" = 67108864 ]
    [ "$(cat "$(scope_dir pids "$id")/pids.max")" = 40 ]
    [ "$(cat "$(scope_dir cpu "$id")/cpu.cfs_quota_us")" = 50000 ]

    rt pause "$id"
    [ "$(rt state "$id" | jq -r .status)" = paused ]
    rt resume "$id"
    [ "$(rt state "$id" | jq -r .status)" = running ]
    run rt ps --format json "$id"
    [[ $output == *"$pid"* ]]

    # A runtime that records the unit in its state (cgroupSystemdUnit) also stops it through systemd on delete.
    local records_unit=0
    grep -q '"cgroupSystemdUnit"' "$STATE_ROOT/$id/state.json" && records_unit=1
    rt kill "$id" KILL
    wait_status "$id" stopped
    rt delete "$id"
    [ -z "$(find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -name "*$id*")" ]
    if (( records_unit )); then
        calls_to StopUnit | jq -e --arg u "libpod-$id.scope" '.unit == $u'
    fi
}

@test "systemd-cgroup: a failed start job fails create and leaves nothing (mock systemd)" {
    is_taurun || skip "TAURUN_SYSTEMD_BUS is taurun's test hook"
    start_mock --start-result failed
    local id
    id=$(new_id)
    cfg '.linux.cgroupsPath = $p' --arg p "$SLICE:libpod:$id"
    rt_files --systemd-cgroup create --bundle "$BUNDLE" "$id"
    [ "$status" -ne 0 ]
    [[ $stderr == *"libpod-$id.scope: the start job ended with \"failed\""* ]]
    [ "$(echo "$stderr" | wc -l)" -eq 1 ]
    [ "$(calls_to ResetFailedUnit | wc -l)" -ge 1 ]
    run rt state "$id"
    [ "$status" -ne 0 ]
    [ -z "$(find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -name "*$id*")" ]
}

@test "systemd-cgroup: an unreachable bus fails create before anything exists" {
    is_taurun || skip "TAURUN_SYSTEMD_BUS is taurun's test hook"
    local id
    id=$(new_id)
    cfg '.linux.cgroupsPath = $p' --arg p "$SLICE:libpod:$id"
    TAURUN_SYSTEMD_BUS="unix:path=$BATS_TEST_TMPDIR/no-such-bus" rt_files --systemd-cgroup create --bundle "$BUNDLE" "$id"
    [ "$status" -ne 0 ]
    [[ $stderr == *"connect $BATS_TEST_TMPDIR/no-such-bus: No such file or directory"* ]]
    [ -z "$(ls -A "$STATE_ROOT")" ]
    [ -z "$(find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -name "*$id*")" ]
}
