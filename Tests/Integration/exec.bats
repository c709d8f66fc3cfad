#!/usr/bin/env bats
# exec: a further process in a running container, in its namespaces, cgroup and security settings, with runc's flags
# (--env, --cwd, --user, --additional-gids, --process, --tty + --console-socket, --detach, --pid-file, --preserve-fds).

load helpers

# A running container ($id, pid $PID1) with a distinctive hostname and capability set.
start_container() {
    cfg '.hostname = "exec-box"
        | .process.capabilities.bounding = ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_CHOWN"]
        | .process.capabilities.effective = ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_CHOWN"]
        | .process.capabilities.permitted = ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_CHOWN"]'
    set_args sleep 1000
    id=$(new_id)
    rt run --detach --bundle "$BUNDLE" "$id" < /dev/null > /dev/null 2>&1
    PID1=$(rt state "$id" | jq -r .pid)
}

@test "exec: runs in the container's namespaces and passes the exit code through" {
    start_container
    run --separate-stderr rt exec "$id" sh -c \
        'hostname; readlink /proc/self/ns/pid; readlink /proc/self/ns/mnt; readlink /proc/self/ns/net'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = exec-box ]
    [ "${lines[1]}" = "$(ns_of pid "$PID1")" ]
    [ "${lines[2]}" = "$(ns_of mnt "$PID1")" ]
    [ "${lines[3]}" = "$(ns_of net "$PID1")" ]

    run rt exec "$id" sh -c 'exit 7'
    [ "$status" -eq 7 ]
}

@test "exec: the process is in the container's cgroup and has its capability bounding set" {
    start_container
    run --separate-stderr rt exec "$id" sh -c 'cat /proc/self/cgroup; grep ^CapBnd: /proc/self/status'
    [ "$status" -eq 0 ]
    [ "$(grep -v ^CapBnd <<< "$output")" = "$(cat "/proc/$PID1/cgroup")" ]
    [[ $(grep ^CapBnd <<< "$output") == *"$(cap_mask CAP_KILL CAP_NET_BIND_SERVICE CAP_CHOWN)" ]]
}

@test "exec: --env, --cwd, --user and --additional-gids" {
    start_container
    run --separate-stderr rt exec --env GREETING=hi --cwd /home/app --user 1000:1000 --additional-gids 10 \
        "$id" sh -c 'echo "$GREETING"; pwd; id -u; id -g; grep ^Groups: /proc/self/status'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = hi ]
    [ "${lines[1]}" = /home/app ]
    [ "${lines[2]}" = 1000 ]
    [ "${lines[3]}" = 1000 ]
    [[ ${lines[4]} =~ ^Groups:[[:space:]]+10[[:space:]]*$ ]]
}

@test "exec: --process takes a whole process.json" {
    start_container
    jq -n --arg mark "TAURUN_TEST_MARK=$TEST_MARK" '{
        terminal: false, user: {uid: 0, gid: 0}, cwd: "/tmp",
        args: ["sh", "-c", "pwd; echo $FROM_FILE"],
        env: ["PATH=/bin:/usr/bin", "FROM_FILE=yes", $mark]
    }' > "$BATS_TEST_TMPDIR/process.json"
    run --separate-stderr rt exec --process "$BATS_TEST_TMPDIR/process.json" "$id"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = /tmp ]
    [ "${lines[1]}" = yes ]
}

@test "exec: --detach --pid-file returns at once; the process runs in the container" {
    start_container
    rt_files exec --detach --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$id" sleep 500
    [ "$status" -eq 0 ]
    local pid
    pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
    [[ $pid =~ ^[0-9]+$ ]]
    kill -0 "$pid"
    [ "$(ns_of pid "$pid")" = "$(ns_of pid "$PID1")" ]
    [ "$(cat "/proc/$pid/cgroup")" = "$(cat "/proc/$PID1/cgroup")" ]
}

@test "exec: --preserve-fds passes extra fds" {
    start_container
    echo via-fd > "$BATS_TEST_TMPDIR/f3"
    local out="$BATS_TEST_TMPDIR/out" rc=0
    (
        exec 3< "$BATS_TEST_TMPDIR/f3"
        exec "$RUNTIME" --root "$STATE_ROOT" exec --preserve-fds 1 "$id" sh -c 'cat <&3' > "$out" 2>&1
    ) || rc=$?
    cat "$out"
    [ "$rc" -eq 0 ]
    [ "$(cat "$out")" = via-fd ]
}

@test "exec: --tty with --console-socket gives the process a pty" {
    start_container
    local sock="$BATS_TEST_TMPDIR/console.sock" out="$BATS_TEST_TMPDIR/console.out"
    python3 "$BATS_TEST_DIRNAME/console_receiver.py" "$sock" "$out" --ready "$BATS_TEST_TMPDIR/ready" \
        --timeout 20 3>&- &
    local receiver=$!
    BG_PIDS+=("$receiver")
    wait_file "$BATS_TEST_TMPDIR/ready"
    rt exec --detach --tty --console-socket "$sock" "$id" sh -c 'tty; echo exec-through-pty' \
        < /dev/null > /dev/null 2>&1
    wait "$receiver"
    [[ $(tr -d '\r' < "$out") == *"/dev/pts/"* ]]
    [[ $(tr -d '\r' < "$out") == *exec-through-pty* ]]
}

@test "exec: a missing executable fails cleanly and the container keeps running" {
    start_container
    rt_files exec "$id" /no/such/binary
    # runc exits 255 when exec fails; anything else at or above 124 would be a timeout, a crash or a signal.
    [ "$status" -ne 0 ] && { [ "$status" -lt 124 ] || [ "$status" -eq 255 ]; }
    [[ $stderr == *"/no/such/binary"* || $stderr == *"no such file"* || $stderr == *"not found"* ]]
    [ "$(rt state "$id" | jq -r .status)" = running ]
    run rt exec "$id" true
    [ "$status" -eq 0 ]
}

@test "exec: refused for an unknown id and for a stopped container" {
    id=$(new_id)
    rt_files exec "$id" true
    [ "$status" -ne 0 ]
    [[ $stderr == *"not exist"* || $stderr == *"not found"* ]]

    set_args true
    id=$(new_id)
    rt create --bundle "$BUNDLE" "$id" < /dev/null > /dev/null 2>&1
    rt start "$id"
    wait_status "$id" stopped
    rt_files exec "$id" true
    [ "$status" -ne 0 ]
    [[ $stderr == *stopped* || $stderr == *"not running"* || $stderr == *running* ]]
}

@test "exec: --user out of range is refused cleanly" {
    skip_on_runc_1_1 "runc 1.1 wraps --user 4294967296 to uid 0 and runs the process as root"
    start_container
    rt_files exec --user 4294967296 "$id" true
    [ "$status" -ne 0 ]
    [ "$status" -lt 128 ]
    [ "$(grep -c . <<< "$stderr")" -ge 1 ]
    grep -qiE 'user|uid|range|invalid|4294967296' <<< "$stderr"
    [ "$(rt state "$id" | jq -r .status)" = running ]
}

@test "exec: delete --force also ends exec'd processes" {
    start_container
    rt exec --detach --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$id" sleep 500 < /dev/null > /dev/null 2>&1
    local pid
    pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
    rt delete --force "$id"
    local tries=60
    while kill -0 "$pid" 2>/dev/null && (( tries-- > 0 )); do sleep 0.05; done
    ! kill -0 "$pid" 2>/dev/null || [ "$(awk '{ print $3 }' "/proc/$pid/stat")" = Z ]
}
