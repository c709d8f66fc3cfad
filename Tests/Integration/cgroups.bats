#!/usr/bin/env bats
# Cgroups through the CLI on a cgroup v1 (hybrid) host: linux.resources limits land in the container's cgroup files
# and hold (OOM kill, fork failure, CPU throttling, device denial), pause/resume, update, events, ps, kill --all, and
# no cgroup directory after delete. Runtime-agnostic: the same tests pass for runc.

load helpers

# Every test here is bounded: bats ends one that runs longer than this (the waits inside are bounded more tightly).
BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-120}

# A host directory bind-mounted at /shared so the test can see what the container did and when.
share_dir() {
    SHARED="$BATS_TEST_TMPDIR/shared"
    mkdir -p "$SHARED"
    cfg '.mounts += [{destination: "/shared", type: "bind", source: $s, options: ["rbind", "rw"]}]' --arg s "$SHARED"
}

# The mountpoint of the cgroup v1 hierarchy that holds controller $1 (e.g. memory, cpu, name=systemd), from this
# process's mountinfo: the hierarchy is found by its super options, never by a fixed path.
cg_mount() {
    awk -v want="$1" '{
        sep = 0
        for (i = 7; i <= NF; i++) if ($i == "-") { sep = i; break }
        if (sep == 0 || $(sep + 1) != "cgroup") next
        n = split($(sep + 3), opts, ",")
        for (j = 1; j <= n; j++) if (opts[j] == want) { print $5; exit }
    }' /proc/self/mountinfo
}

# The cgroup path (relative to its hierarchy's root) of process $2 for controller $1, from /proc/PID/cgroup.
cg_path() {
    awk -F: -v want="$1" '{
        n = split($2, ctrls, ",")
        for (j = 1; j <= n; j++) if (ctrls[j] == want) { sub(/^[^:]*:[^:]*:/, ""); print; exit }
    }' "/proc/$2/cgroup"
}

# The host directory of process $2's cgroup for controller $1.
cg_dir() {
    local mnt path
    mnt=$(cg_mount "$1")
    path=$(cg_path "$1" "$2")
    [[ -n $mnt && -n $path ]] || { echo "no $1 cgroup for pid $2" >&2; return 1; }
    echo "$mnt$path"
}

# The host directory of process $1's cgroup in the cgroup2 hierarchy (on a hybrid host the controller-less
# /sys/fs/cgroup/unified), or nothing when no cgroup2 is mounted.
cg2_dir() {
    local mnt path
    mnt=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") { print $5; exit } break } }' \
        /proc/self/mountinfo)
    [[ -n $mnt ]] || return 0
    path=$(awk '/^0::/ { sub(/^0::/, ""); print; exit }' "/proc/$1/cgroup")
    echo "$mnt$path"
}

# Skips the test unless the v1 controller $1 is mounted and its root has the file $2 (optional kernel files: swap
# accounting, throttling, weights); the reason names what the host lacks.
requires_cgroup_file() {
    local mnt
    mnt=$(cg_mount "$1")
    [[ -n $mnt ]] || skip "the $1 cgroup controller is not mounted on this host"
    [[ -e $mnt/$2 ]] || skip "this host's $1 controller has no $2"
}

# True when the runtime has an `events` command (runc and taurun do; crun 1.8 does not).
has_events() {
    "$RUNTIME" events --help > /dev/null 2>&1
}

# The container's init pid as the runtime reports it.
init_pid() {
    rt state "$1" | jq -r .pid
}

# Starts the bundle's process detached and waits until it runs; prints nothing.
start_detached() {
    rt_files run --detach --bundle "$BUNDLE" "$1"
    [ "$status" -eq 0 ] || { echo "run --detach failed: $stderr" >&2; return 1; }
    wait_status "$1" running
}

# The number of lines in file $1, which a container loop appends to: each line is one write(2), so a process frozen
# at any point leaves a count that no longer changes. Waits at most 5 s for the first line.
read_counter() {
    local tries=100 v=0
    while (( tries-- > 0 )); do
        v=$(wc -l < "$1" 2>/dev/null || echo 0)
        (( v > 0 )) && { echo "$v"; return 0; }
        sleep 0.05
    done
    echo "no counter in $1" >&2
    return 1
}

# Waits until file $1 contains a line matching the extended regex $2 (default timeout 10 s).
wait_grep() {
    local tries=$(( ${3:-10} * 20 ))
    while (( tries-- > 0 )); do
        grep -qE "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "timed out waiting for /$2/ in $1: $(cat "$1" 2>/dev/null)" >&2
    return 1
}

@test "memory: limit and reservation land in memory.limit_in_bytes and memory.soft_limit_in_bytes" {
    id=$(new_id)
    cfg '.linux.resources.memory = {limit: 33554432, reservation: 16777216}'
    set_args sleep 100
    start_detached "$id"
    dir=$(cg_dir memory "$(init_pid "$id")")
    [ "$dir" != "$(cg_dir memory $$)" ]
    [ "$(cat "$dir/memory.limit_in_bytes")" = 33554432 ]
    [ "$(cat "$dir/memory.soft_limit_in_bytes")" = 16777216 ]
}

@test "memory: a process allocating past a 16M limit is OOM-killed and events reports the oom" {
    id=$(new_id)
    share_dir
    cfg '.linux.resources.memory = {limit: 16777216}'
    # busybox sort keeps its whole (newline-free) input line in anonymous memory: 64M, and more while it grows the
    # buffer, against a 16M limit.
    set_args sh -c 'until [ -e /shared/go ]; do usleep 20000; done
        head -c 67108864 /dev/zero | busybox sort > /dev/null
        echo $? > /shared/rc; sleep 100'
    start_detached "$id"
    dir=$(cg_dir memory "$(init_pid "$id")")
    [ "$(cat "$dir/memory.limit_in_bytes")" = 16777216 ]

    local evpid=""
    if has_events; then
        rt_bg events "$id" > "$BATS_TEST_TMPDIR/events.out" 2> "$BATS_TEST_TMPDIR/events.err"
        evpid=$BG_PID
        sleep 1   # let events register its OOM notifier before the allocation starts
    fi
    touch "$SHARED/go"

    wait_file "$SHARED/rc" 20
    # The pipeline's status is sort's: killed by SIGKILL (128+9).
    [ "$(cat "$SHARED/rc")" = 137 ]
    grep -q oom_kill "$dir/memory.oom_control"
    [ "$(awk '$1 == "oom_kill" { print $2 }' "$dir/memory.oom_control")" -ge 1 ]

    [[ -n $evpid ]] || skip "$(runtime_name) has no events command (the OOM kill itself is proven above)"
    wait_grep "$BATS_TEST_TMPDIR/events.out" '"type": *"oom"' 10
    run jq -r 'select(.type == "oom") | .id' "$BATS_TEST_TMPDIR/events.out"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$id" ]
    kill "$evpid" 2>/dev/null || true

    # events --stats: one stats line whose memory limit is the configured one, usage peaked at the limit.
    rt_files events --stats "$id"
    [ "$status" -eq 0 ]
    [ "$(jq -r .type <<< "$output")" = stats ]
    [ "$(jq -r .id <<< "$output")" = "$id" ]
    [ "$(jq -r .data.memory.usage.limit <<< "$output")" = 16777216 ]
    (( $(jq -r .data.memory.usage.max <<< "$output") >= 8388608 ))
    (( $(jq -r .data.pids.current <<< "$output") >= 1 ))

    # taurun's audit log keeps the OOM kill once the container is deleted (the cgroup that counted it is gone then).
    is_taurun || return 0
    rt delete --force "$id"
    run jq -r --arg c "$id" 'select(.container == $c and .event == "oom") | .message' "$TAURUN_AUDIT_LOG"
    [ "$output" = "container $id killed: exceeded memory quota 16M" ]
}

@test "memory: the same pipeline with a small input completes under the 16M limit" {
    id=$(new_id)
    cfg '.linux.resources.memory = {limit: 16777216}'
    set_args sh -c 'head -c 65536 /dev/zero | tr "\\0" a | busybox sort | wc -c'
    rt_files run --bundle "$BUNDLE" "$id"
    [ "$status" -eq 0 ]
    (( output >= 65536 ))
}

@test "pids: fork beyond pids.limit fails inside the container, a higher limit lets it through" {
    id=$(new_id)
    cfg '.linux.resources.pids = {limit: 8}'
    set_args sh -c 'i=0; while [ $i -lt 20 ]; do sleep 30 & i=$((i + 1)); done; echo all-forked'
    rt_files run --bundle "$BUNDLE" "$id"
    [ "$status" -ne 0 ]
    [[ $output != *all-forked* ]]
    [[ $stderr == *"fork"* ]]

    # The same script under a limit it fits in (init + 20 sleeps) finishes.
    id=$(new_id)
    cfg '.linux.resources.pids = {limit: 64}'
    rt_files run --bundle "$BUNDLE" "$id"
    [ "$status" -eq 0 ]
    [ "$output" = all-forked ]
}

@test "pids: the limit lands in pids.max" {
    id=$(new_id)
    cfg '.linux.resources.pids = {limit: 42}'
    set_args sleep 100
    start_detached "$id"
    dir=$(cg_dir pids "$(init_pid "$id")")
    [ "$(cat "$dir/pids.max")" = 42 ]
}

@test "cpu: quota and period land in cpu.cfs_quota_us / cpu.cfs_period_us and a busy loop is throttled" {
    id=$(new_id)
    cfg '.linux.resources.cpu = {quota: 10000, period: 50000}'
    set_args sh -c 'while :; do :; done'
    start_detached "$id"
    dir=$(cg_dir cpu "$(init_pid "$id")")
    [ "$dir" != "$(cg_dir cpu $$)" ]
    [ "$(cat "$dir/cpu.cfs_quota_us")" = 10000 ]
    [ "$(cat "$dir/cpu.cfs_period_us")" = 50000 ]

    acct=$(cg_dir cpuacct "$(init_pid "$id")")
    before=$(awk '$1 == "nr_throttled" { print $2 }' "$dir/cpu.stat")
    used_before=$(cat "$acct/cpuacct.usage")
    sleep 1
    after=$(awk '$1 == "nr_throttled" { print $2 }' "$dir/cpu.stat")
    used_after=$(cat "$acct/cpuacct.usage")
    # 20 periods a second, each one throttled after 10 ms of the busy loop.
    (( after - before >= 5 ))
    # The loop got about 0.2 s of cpu in that second (10 ms per 50 ms period), nowhere near a whole cpu.
    (( used_after - used_before < 400000000 ))
    (( used_after - used_before > 50000000 ))

    has_events || skip "$(runtime_name) has no events command (throttling is proven above)"
    rt_files events --stats "$id"
    [ "$status" -eq 0 ]
    (( $(jq -r .data.cpu.throttling.throttledPeriods <<< "$output") >= 5 ))
}

@test "pause freezes every process (state paused, FROZEN, counter stops), resume thaws it" {
    id=$(new_id)
    share_dir
    set_args sh -c 'i=0; while :; do i=$((i + 1)); echo $i >> /shared/count; usleep 20000; done'
    start_detached "$id"
    read_counter "$SHARED/count" > /dev/null
    dir=$(cg_dir freezer "$(init_pid "$id")")
    [ "$dir" != "$(cg_dir freezer $$)" ]

    rt pause "$id"
    [ "$(rt state "$id" | jq -r .status)" = paused ]
    [ "$(cat "$dir/freezer.state")" = FROZEN ]
    a=$(read_counter "$SHARED/count")
    sleep 0.5
    b=$(read_counter "$SHARED/count")
    [ "$a" = "$b" ]

    rt resume "$id"
    [ "$(rt state "$id" | jq -r .status)" = running ]
    [ "$(cat "$dir/freezer.state")" = THAWED ]
    sleep 0.5
    c=$(read_counter "$SHARED/count")
    (( c > b ))
}

@test "update --memory / --pids-limit / --cpu-quota / --cpu-period change a running container's files" {
    id=$(new_id)
    cfg '.linux.resources.memory = {limit: 67108864} | .linux.resources.pids = {limit: 50}
        | .linux.resources.cpu = {quota: 20000, period: 100000}'
    set_args sleep 100
    start_detached "$id"
    pid=$(init_pid "$id")
    mem=$(cg_dir memory "$pid")
    pids=$(cg_dir pids "$pid")
    cpu=$(cg_dir cpu "$pid")
    [ "$(cat "$mem/memory.limit_in_bytes")" = 67108864 ]
    [ "$(cat "$pids/pids.max")" = 50 ]
    [ "$(cat "$cpu/cpu.cfs_quota_us")" = 20000 ]

    rt_files update --memory 33554432 --pids-limit 20 --cpu-quota 30000 --cpu-period 200000 "$id"
    [ "$status" -eq 0 ]
    [ "$(cat "$mem/memory.limit_in_bytes")" = 33554432 ]
    [ "$(cat "$pids/pids.max")" = 20 ]
    [ "$(cat "$cpu/cpu.cfs_quota_us")" = 30000 ]
    [ "$(cat "$cpu/cpu.cfs_period_us")" = 200000 ]

    # Raising the memory limit again, and a limit given only as --pids-limit leaves the others alone.
    rt_files update --memory 100663296 "$id"
    [ "$status" -eq 0 ]
    [ "$(cat "$mem/memory.limit_in_bytes")" = 100663296 ]
    [ "$(cat "$pids/pids.max")" = 20 ]
    [ "$(cat "$cpu/cpu.cfs_quota_us")" = 30000 ]
    [ "$(rt state "$id" | jq -r .status)" = running ]
}

@test "update --resources: a JSON file of linux.resources changes the limits" {
    id=$(new_id)
    cfg '.linux.resources.pids = {limit: 50}'
    set_args sleep 100
    start_detached "$id"
    dir=$(cg_dir pids "$(init_pid "$id")")
    echo '{"pids": {"limit": 33}}' > "$BATS_TEST_TMPDIR/res.json"
    rt_files update --resources "$BATS_TEST_TMPDIR/res.json" "$id"
    [ "$status" -eq 0 ]
    [ "$(cat "$dir/pids.max")" = 33 ]
}

@test "devices: a rule in linux.resources.devices denies opening that node, without it the node opens" {
    # /dev/fuse (c 10:229) is not on the runtimes' default allowlist, and opening it needs no privilege.
    local node='{path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 438, uid: 0, gid: 0}'
    id=$(new_id)
    cfg ".linux.devices = [$node] | .linux.resources.devices = [{allow: true, access: \"rwm\"},
        {allow: false, type: \"c\", major: 10, minor: 229, access: \"rwm\"}]"
    set_args sh -c ': < /dev/fuse && echo opened'
    rt_files run --bundle "$BUNDLE" "$id"
    [ "$status" -ne 0 ]
    [[ $output != *opened* ]]
    [[ $stderr == *"Operation not permitted"* ]]

    id=$(new_id)
    cfg '.linux.resources.devices = [{allow: true, access: "rwm"}]'
    rt_files run --bundle "$BUNDLE" "$id"
    [ "$status" -eq 0 ]
    [ "$output" = opened ]
}

@test "devices: a linux.devices node is not allowed by itself: under deny-all only the default allowlist opens" {
    # runc and crun create the node but add no cgroup rule for it; access comes from linux.resources.devices alone.
    id=$(new_id)
    cfg '.linux.devices = [{path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 438, uid: 0, gid: 0}]
        | .linux.resources.devices = [{allow: false, access: "rwm"}]'
    set_args sh -c '[ -c /dev/fuse ] && echo node; : < /dev/null && echo null-opened; : < /dev/fuse && echo fuse-opened'
    rt_files run --bundle "$BUNDLE" "$id"
    [ "$status" -ne 0 ]
    [ "$output" = "$(printf 'node\nnull-opened')" ]
    [[ $stderr == *"Operation not permitted"* ]]
}

@test "devices: the device rules land in devices.list" {
    id=$(new_id)
    cfg '.linux.resources.devices = [{allow: false, access: "rwm"}, {allow: true, type: "c", major: 10, minor: 229, access: "r"}]'
    set_args sleep 100
    start_detached "$id"
    dir=$(cg_dir devices "$(init_pid "$id")")
    grep -qx 'c 10:229 r' "$dir/devices.list"
    grep -qx 'c 1:3 rwm' "$dir/devices.list"     # /dev/null from the default allowlist
    ! grep -q '^a ' "$dir/devices.list"
}

@test "devices: a type a rule with numbers (podman --device-cgroup-rule='a 10:229 rwm') allows that device, nothing wider" {
    id=$(new_id)
    cfg '.linux.devices = [{path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 438, uid: 0, gid: 0},
                           {path: "/dev/loop-control", type: "c", major: 10, minor: 237, fileMode: 438, uid: 0, gid: 0}]
        | .linux.resources.devices = [{allow: false, access: "rwm"}, {allow: true, type: "a", major: 10, minor: 229, access: "rwm"}]'
    set_args sleep 100
    start_detached "$id"
    run rt exec "$id" sh -c '(: < /dev/fuse) && echo fuse-opened; (: < /dev/loop-control) 2>&1 && echo loop-opened'
    echo "$output"
    [[ $output == *fuse-opened* ]]
    # runc 1.1 and crun 1.8 write "a 10:229 rwm" to the v1 devices.allow, which the kernel reads as every device.
    is_taurun || skip "$(runtime_name) widens a type a rule with numbers to every device on cgroup v1"
    [[ $output != *loop-opened* ]]
    if [[ -d /sys/fs/cgroup/devices ]]; then
        dir=$(cg_dir devices "$(init_pid "$id")")
        grep -qx 'c 10:229 rwm' "$dir/devices.list"
        ! grep -q '^a ' "$dir/devices.list"
    fi
}

@test "ps: -f json lists every pid of the container, init included" {
    id=$(new_id)
    share_dir
    set_args sh -c 'sleep 100 & sleep 100 & echo ready > /shared/ready; wait'
    start_detached "$id"
    wait_file "$SHARED/ready"
    pid=$(init_pid "$id")
    dir=$(cg_dir pids "$pid")

    rt_files ps -f json "$id"
    [ "$status" -eq 0 ]
    got=$(jq -c 'sort' <<< "$output")
    want=$(sort -n "$dir/cgroup.procs" | jq -sc 'sort')
    [ "$got" = "$want" ]
    [ "$(jq 'length' <<< "$got")" -eq 3 ]
    jq -e --argjson p "$pid" 'index($p) != null' <<< "$got" > /dev/null

    # The default table keeps ps(1)'s header and one line per container process.
    rt_files ps "$id"
    [ "$status" -eq 0 ]
    [[ $(head -n1 <<< "$output") == *PID* ]]
    col=$(head -n1 <<< "$output" | awk '{ for (i = 1; i <= NF; i++) if ($i == "PID") print i }')
    [ "$(tail -n +2 <<< "$output" | awk -v c="$col" '{ print $c }' | jq -sc 'sort')" = "$want" ]
}

@test "kill --all signals every process of the container, kill only init" {
    id=$(new_id)
    share_dir
    set_args sh -c 'trap "echo init >> /shared/got" TERM
        for n in 1 2; do
            sh -c "trap \"echo child$n >> /shared/got; exit 0\" TERM; echo ready > /shared/ready$n
                while :; do usleep 20000; done" &
        done
        while :; do usleep 20000; done'
    start_detached "$id"
    # Each child says ready once its trap is installed; init installed its trap before starting them.
    wait_file "$SHARED/ready1"
    wait_file "$SHARED/ready2"

    rt kill "$id" TERM
    wait_grep "$SHARED/got" '^init$'
    sleep 0.3
    [ "$(sort "$SHARED/got" | tr '\n' ' ')" = "init " ]

    rt kill --all "$id" TERM
    wait_grep "$SHARED/got" '^child1$'
    wait_grep "$SHARED/got" '^child2$'
    # init runs its trap once its current usleep child has ended.
    local tries=100
    while (( $(grep -c '^init$' "$SHARED/got") < 2 && tries-- > 0 )); do sleep 0.05; done
    [ "$(grep -c '^init$' "$SHARED/got")" -eq 2 ]

    rt kill --all "$id" KILL
    wait_status "$id" stopped
    rt delete "$id"
}

@test "pause and resume of a stopped container fail" {
    id=$(new_id)
    set_args true
    rt create --bundle "$BUNDLE" "$id"
    rt start "$id"
    wait_status "$id" stopped
    rt_files pause "$id"
    [ "$status" -ne 0 ]
    rt_files resume "$id"
    [ "$status" -ne 0 ]
    rt delete "$id"
}

@test "pause of a paused and resume of a running container fail; delete refuses a paused one; kill --all KILL stops it" {
    id=$(new_id)
    set_args sleep 100
    start_detached "$id"
    rt_files resume "$id"
    [ "$status" -ne 0 ]
    [ "$(rt state "$id" | jq -r .status)" = running ]
    rt pause "$id"
    rt_files pause "$id"
    [ "$status" -ne 0 ]
    [ "$(rt state "$id" | jq -r .status)" = paused ]
    rt_files delete "$id"
    [ "$status" -ne 0 ]
    [ "$(rt state "$id" | jq -r .status)" = paused ]

    # SIGKILL reaches frozen processes once they thaw; the runtime must not leave them frozen.
    rt_files kill --all "$id" KILL
    [ "$status" -eq 0 ]
    wait_status "$id" stopped
    rt delete "$id"
}

@test "exec: the exec'd process joins every cgroup of the container and counts against its pids limit" {
    id=$(new_id)
    cfg '.linux.resources.pids = {limit: 3}'
    set_args sleep 100
    start_detached "$id"
    pid=$(init_pid "$id")
    # No cgroup namespace in the base config: /proc/self/cgroup inside shows host paths.
    rt_files exec "$id" cat /proc/self/cgroup
    [ "$status" -eq 0 ]
    [ "$output" = "$(cat "/proc/$pid/cgroup")" ]

    # init + the exec'd sh + its two children exceed 3.
    rt_files exec "$id" sh -c 'sleep 1 & sleep 1 & wait; echo both-forked'
    [[ $output != *both-forked* ]]
    # The kernel counts the fork it refused because of the container's limit.
    (( $(awk '$1 == "max" { print $2 }' "$(cg_dir pids "$pid")/pids.events") >= 1 ))
}

@test "delete removes the container's cgroup directory in every hierarchy" {
    id=$(new_id)
    cfg '.linux.resources.memory = {limit: 33554432} | .linux.resources.pids = {limit: 30}'
    set_args sleep 100
    start_detached "$id"
    pid=$(init_pid "$id")

    local dirs=() ctrl d
    for ctrl in memory cpu cpuacct cpuset pids freezer devices blkio name=systemd; do
        [[ -n $(cg_mount "$ctrl") ]] || continue
        d=$(cg_dir "$ctrl" "$pid")
        # The container has a cgroup of its own, not the runtime caller's.
        [ "$d" != "$(cg_dir "$ctrl" $$)" ]
        [ -d "$d" ]
        dirs+=("$d")
    done
    (( ${#dirs[@]} >= 5 ))

    rt kill "$id" KILL
    wait_status "$id" stopped
    rt delete "$id"
    for d in "${dirs[@]}"; do
        [ ! -e "$d" ] || { echo "left behind: $d" >&2; false; }
    done
}

@test "delete --force of a running, paused container kills it and removes its cgroups" {
    id=$(new_id)
    set_args sleep 100
    start_detached "$id"
    pid=$(init_pid "$id")
    mem=$(cg_dir memory "$pid")
    frz=$(cg_dir freezer "$pid")
    rt pause "$id"
    [ "$(rt state "$id" | jq -r .status)" = paused ]

    rt_files delete --force "$id"
    [ "$status" -eq 0 ]
    [ ! -e "$mem" ]
    [ ! -e "$frz" ]
    run rt state "$id"
    [ "$status" -ne 0 ]
    local tries=40
    while [[ -e /proc/$pid ]] && (( tries-- > 0 )); do sleep 0.05; done
    [ ! -e "/proc/$pid" ] || [[ $(awk '{ print $3 }' "/proc/$pid/stat") == Z ]]
}

@test "cpu: shares and cpuset cpus/mems land in cpu.shares, cpuset.cpus, cpuset.mems" {
    id=$(new_id)
    cfg '.linux.resources.cpu = {shares: 512, cpus: "0", mems: "0"}'
    set_args sleep 100
    start_detached "$id"
    pid=$(init_pid "$id")
    [ "$(cat "$(cg_dir cpu "$pid")/cpu.shares")" = 512 ]
    [ "$(cat "$(cg_dir cpuset "$pid")/cpuset.cpus")" = 0 ]
    [ "$(cat "$(cg_dir cpuset "$pid")/cpuset.mems")" = 0 ]
    # The kernel keeps the process on the allowed cpu.
    grep -qE '^Cpus_allowed_list:[[:space:]]+0$' "/proc/$pid/status"
}

@test "memory: swap (memory+swap), swappiness and disableOOMKiller land in their v1 files" {
    id=$(new_id)
    requires_cgroup_file memory memory.memsw.limit_in_bytes
    cfg '.linux.resources.memory = {limit: 33554432, swap: 67108864, swappiness: 10, disableOOMKiller: true}'
    set_args sleep 100
    start_detached "$id"
    dir=$(cg_dir memory "$(init_pid "$id")")
    [ "$(cat "$dir/memory.limit_in_bytes")" = 33554432 ]
    [ "$(cat "$dir/memory.memsw.limit_in_bytes")" = 67108864 ]
    [ "$(cat "$dir/memory.swappiness")" = 10 ]
    [ "$(awk '$1 == "oom_kill_disable" { print $2 }' "$dir/memory.oom_control")" = 1 ]
}

@test "blkio: a read bps throttle for a disk lands in blkio.throttle.read_bps_device" {
    local majmin
    majmin=$(awk 'NR > 2 && $1 != 7 && $1 != 1 { print $1 ":" $2; exit }' /proc/partitions)
    [[ -n $majmin ]] || skip "no disk in /proc/partitions"
    requires_cgroup_file blkio blkio.throttle.read_bps_device
    id=$(new_id)
    cfg '.linux.resources.blockIO = {throttleReadBpsDevice: [{major: $ma, minor: $mi, rate: 1048576}]}' \
        --argjson ma "${majmin%:*}" --argjson mi "${majmin#*:}"
    set_args sleep 100
    start_detached "$id"
    dir=$(cg_dir blkio "$(init_pid "$id")")
    grep -qx "$majmin 1048576" "$dir/blkio.throttle.read_bps_device"
}

@test "cgroupsPath: an absolute nested path puts the container there in every hierarchy, delete removes the leaf" {
    id=$(new_id)
    CG_PARENT="cgit-$id-parent"
    cfg '.linux.cgroupsPath = $p' --arg p "/$CG_PARENT/$id"
    set_args sleep 100
    start_detached "$id"
    pid=$(init_pid "$id")
    local ctrl dirs=()
    for ctrl in memory cpu pids freezer devices; do
        [ "$(cg_path "$ctrl" "$pid")" = "/$CG_PARENT/$id" ]
        dirs+=("$(cg_mount "$ctrl")/$CG_PARENT/$id")
        [ -d "${dirs[-1]}" ]
    done
    rt kill "$id" KILL
    wait_status "$id" stopped
    rt delete "$id"
    for d in "${dirs[@]}"; do
        [ ! -e "$d" ] || { echo "left behind: $d" >&2; false; }
    done
}

# Removes the parent cgroups the cgroupsPath test made (runtimes leave parents in place, as runc does).
test_cleanup() {
    [[ -n ${CG_PARENT:-} ]] || return 0
    local d
    for d in /sys/fs/cgroup/*/"$CG_PARENT"; do
        [[ -d $d ]] && rmdir "$d/"* "$d" 2>/dev/null
    done
    return 0
}

@test "hybrid: the container also gets its own cgroup2 directory, and delete removes it" {
    id=$(new_id)
    set_args sleep 100
    start_detached "$id"
    pid=$(init_pid "$id")
    d=$(cg2_dir "$pid")
    [[ -n $d ]] || skip "no cgroup2 mount on this host"
    [ "$d" != "$(cg2_dir $$)" ]
    [ -d "$d" ]
    grep -qx "$pid" "$d/cgroup.procs"
    rt kill "$id" KILL
    wait_status "$id" stopped
    rt delete "$id"
    [ ! -e "$d" ]
}

@test "update: lowering pids.limit below the running count makes the next fork fail" {
    id=$(new_id)
    share_dir
    cfg '.linux.resources.pids = {limit: 100}'
    set_args sh -c 'sleep 100 & sleep 100 & sleep 100 & echo ready > /shared/ready
        until [ -e /shared/go ]; do usleep 20000; done
        if sleep 0; then echo forked > /shared/result; else echo fork-failed > /shared/result; fi
        sleep 100'
    start_detached "$id"
    wait_file "$SHARED/ready"
    dir=$(cg_dir pids "$(init_pid "$id")")
    (( $(cat "$dir/pids.current") >= 4 ))

    rt_files update --pids-limit 4 "$id"
    [ "$status" -eq 0 ]
    [ "$(cat "$dir/pids.max")" = 4 ]
    touch "$SHARED/go"
    # The fork fails; busybox sh then reports it and exits (which ends the container) or takes the else branch.
    local tries=100
    while (( tries-- > 0 )); do
        [[ -s $SHARED/result ]] && break
        [[ $(rt state "$id" | jq -r .status) == stopped ]] && break
        sleep 0.05
    done
    [[ $(cat "$SHARED/result" 2>/dev/null) != forked ]]
    # The kernel counts the fork it refused because of the limit.
    (( $(awk '$1 == "max" { print $2 }' "$dir/pids.events") >= 1 ))
}

@test "update -r -: linux.resources JSON on stdin changes memory and cpu" {
    id=$(new_id)
    cfg '.linux.resources.memory = {limit: 67108864} | .linux.resources.cpu = {quota: 20000, period: 100000}'
    set_args sleep 100
    start_detached "$id"
    pid=$(init_pid "$id")
    echo '{"memory": {"limit": 50331648}, "cpu": {"quota": 40000}}' |
        timeout 30 "$RUNTIME" --root "$STATE_ROOT" update -r - "$id"
    [ "$(cat "$(cg_dir memory "$pid")/memory.limit_in_bytes")" = 50331648 ]
    [ "$(cat "$(cg_dir cpu "$pid")/cpu.cfs_quota_us")" = 40000 ]
    [ "$(cat "$(cg_dir cpu "$pid")/cpu.cfs_period_us")" = 100000 ]
}

@test "update and events --stats of an unknown container fail" {
    rt_files update --pids-limit 10 "no-such-$RANDOM"
    [ "$status" -ne 0 ]
    rt_files events --stats "no-such-$RANDOM"
    [ "$status" -ne 0 ]
    rt_files ps "no-such-$RANDOM"
    [ "$status" -ne 0 ]
}

@test "events --stats: runc's JSON shape for cpu, memory and pids, with the configured limits" {
    has_events || skip "$(runtime_name) has no events command"
    id=$(new_id)
    cfg '.linux.resources.memory = {limit: 33554432} | .linux.resources.pids = {limit: 20}'
    set_args sleep 100
    start_detached "$id"
    rt_files events --stats "$id"
    [ "$status" -eq 0 ]
    # Exactly one JSON object.
    [ "$(jq -s length <<< "$output")" -eq 1 ]
    jq -e --arg id "$id" '
        .type == "stats" and .id == $id
        and (.data.cpu.usage.total | type == "number" and . > 0)
        and (.data.memory.usage | (.limit == 33554432) and (.usage | type == "number" and . > 0)
             and (.max | type == "number") and (.failcnt | type == "number"))
        and .data.pids.current >= 1 and .data.pids.limit == 20' <<< "$output" > /dev/null
}

@test "events --interval prints a stats line per interval" {
    has_events || skip "$(runtime_name) has no events command"
    id=$(new_id)
    set_args sleep 100
    start_detached "$id"
    rt_bg events --interval 200ms "$id" > "$BATS_TEST_TMPDIR/events.out" 2> "$BATS_TEST_TMPDIR/events.err"
    local evpid=$BG_PID
    sleep 1.5
    kill "$evpid" 2>/dev/null || true
    wait "$evpid" 2>/dev/null || true
    n=$(jq -r 'select(.type == "stats") | .id' "$BATS_TEST_TMPDIR/events.out" | grep -cx "$id")
    (( n >= 3 ))
    (( n <= 12 ))
}

@test "ps lists the processes of a paused container" {
    id=$(new_id)
    set_args sleep 100
    start_detached "$id"
    pid=$(init_pid "$id")
    rt pause "$id"
    rt_files ps -f json "$id"
    [ "$status" -eq 0 ]
    [ "$(jq -c . <<< "$output")" = "[$pid]" ]
    rt resume "$id"
}

@test "kill --all without a pid namespace reaches processes that outlive init" {
    id=$(new_id)
    share_dir
    drop_ns pid
    set_args sh -c 'sleep 100 & echo $! > /shared/child; sleep 100'
    start_detached "$id"
    wait_file "$SHARED/child"
    child=$(cat "$SHARED/child")
    pid=$(init_pid "$id")
    grep -qx "$child" "$(cg_dir pids "$pid")/cgroup.procs"

    rt kill --all "$id" KILL
    wait_status "$id" stopped
    local tries=100
    while [[ -e /proc/$child && $(awk '{ print $3 }' "/proc/$child/stat" 2>/dev/null) != Z ]] && (( tries-- > 0 )); do
        sleep 0.05
    done
    [[ ! -e /proc/$child || $(awk '{ print $3 }' "/proc/$child/stat" 2>/dev/null) == Z ]]
    rt delete "$id"
}

@test "delete of a stopped container kills processes left in its cgroup (no pid namespace) and removes it" {
    id=$(new_id)
    share_dir
    drop_ns pid
    set_args sh -c 'sleep 100 & echo $! > /shared/child; exit 0'
    rt_files run --detach --bundle "$BUNDLE" "$id"
    [ "$status" -eq 0 ]
    wait_file "$SHARED/child"
    child=$(cat "$SHARED/child")
    wait_status "$id" stopped
    [ -e "/proc/$child" ]
    dir=$(cg_dir memory "$child")
    [ "$dir" != "$(cg_dir memory $$)" ]

    rt delete "$id"
    local tries=100
    while [[ -e /proc/$child && $(awk '{ print $3 }' "/proc/$child/stat" 2>/dev/null) != Z ]] && (( tries-- > 0 )); do
        sleep 0.05
    done
    [[ ! -e /proc/$child || $(awk '{ print $3 }' "/proc/$child/stat" 2>/dev/null) == Z ]]
    [ ! -e "$dir" ]
}
