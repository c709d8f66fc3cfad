#!/usr/bin/env bats
# `exec` of the runtime under test, called directly as conmon, the containerd shim and people call it:
# RUNTIME=/usr/local/bin/taurun bats conformance/exec.bats (or RUNTIME=/usr/sbin/runc). Each test has its own state
# root and a bundle over the shared busybox rootfs (build/rootfs, read-only; scripts/rootfs.sh builds it).

load helpers

CONSOLE_RECEIVER=$REPO_ROOT/Tests/Integration/console_receiver.py

rt() {
    "$RUNTIME" --root "$STATE_ROOT" "$@"
}

setup() {
    STATE_ROOT=$BATS_TEST_TMPDIR/state
    BUNDLE=$BATS_TEST_TMPDIR/bundle
    ID=conf-exec-$BATS_TEST_NUMBER-$$
    mkdir -p "$BUNDLE"
    [[ -x $REPO_ROOT/build/rootfs/bin/busybox ]] || "$REPO_ROOT/scripts/rootfs.sh" "$REPO_ROOT/build/rootfs"
    (cd "$BUNDLE" && "$RUNTIME" spec)
    edit_config '.process.terminal = false | .process.args = ["sleep", "1000"]
        | .root = {path: $rootfs, readonly: true}'
}

teardown() {
    rt delete --force "$ID" >/dev/null 2>&1 || true
}

# Applies a jq filter to the bundle's config.json ($rootfs is the shared rootfs).
edit_config() {
    jq --arg rootfs "$REPO_ROOT/build/rootfs" "$1" "$BUNDLE/config.json" > "$BUNDLE/config.json.new"
    mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

start_container() {
    rt run -d --bundle "$BUNDLE" "$ID" < /dev/null > /dev/null 2>&1 3>&-
    INIT_PID=$(rt state "$ID" | jq -r .pid)
    [ "$INIT_PID" -gt 0 ]
}

@test "exec joins every namespace and the cgroup of the container" {
    start_container
    run rt exec "$ID" sh -c 'for n in mnt uts ipc net pid cgroup user; do readlink /proc/self/ns/$n; done; cat /proc/self/cgroup'
    [ "$status" -eq 0 ]
    local n
    for n in mnt uts ipc net pid; do
        [[ $output == *"$(readlink /proc/$INIT_PID/ns/$n)"* ]]
    done
    while read -r line; do [[ $output == *"$line"* ]]; done < "/proc/$INIT_PID/cgroup"
    # Inside the container's pid namespace: the container's init is pid 1.
    run rt exec "$ID" cat /proc/1/cmdline
    [[ $output == sleep* ]]
}

@test "exec returns the process's exit code, 128+N when killed by a signal" {
    start_container
    run rt exec "$ID" sh -c 'exit 23'
    [ "$status" -eq 23 ]
    run rt exec "$ID" sh -c 'kill -9 $$'
    [ "$status" -eq 137 ]
}

@test "exec --user, --additional-gids, --cwd, --env" {
    start_container
    run rt exec --user 1000:1000 --additional-gids 5 --cwd /tmp --env GREETING=hej "$ID" sh -c 'id -u; id -g; id -G; pwd; echo $GREETING'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 1000 ]
    [ "${lines[1]}" = 1000 ]
    [[ ${lines[2]} == *5* ]]
    [ "${lines[3]}" = /tmp ]
    [ "${lines[4]}" = hej ]
}

@test "exec: a missing program and a file that is not executable fail with the messages Podman maps to 127/126" {
    start_container
    run rt exec "$ID" no-such-program
    [ "$status" -ne 0 ]
    # runc's text log escapes the quotes; the words are the same.
    [[ $output == *'exec: '*'"no-such-program'*'": executable file not found in $PATH'* ]]
    run rt exec "$ID" /etc/passwd
    [ "$status" -ne 0 ]
    [[ $output == *"permission denied"* ]]
}

@test "exec: a cwd that does not exist fails" {
    start_container
    run rt exec --cwd /no/such/dir "$ID" true
    [ "$status" -ne 0 ]
    [[ $output == *"no such file or directory"* ]]
}

@test "exec gets the container's capabilities; --cap adds one to every set" {
    start_container
    local init_caps
    init_caps=$(grep -E '^Cap(Eff|Prm|Bnd)' "/proc/$INIT_PID/status")
    run rt exec "$ID" grep -E '^Cap(Eff|Prm|Bnd)' /proc/self/status
    [ "$output" = "$init_caps" ]
    run rt exec --cap CAP_SYS_ADMIN "$ID" grep -E '^CapEff' /proc/self/status
    local eff=$(( 16#${output##*:	} ))
    (( eff & (1 << 21) ))
}

@test "exec --no-new-privs" {
    edit_config '.process.noNewPrivileges = false'
    start_container
    run rt exec "$ID" grep NoNewPrivs /proc/self/status
    [[ $output == *"0" ]]
    run rt exec --no-new-privs "$ID" grep NoNewPrivs /proc/self/status
    [[ $output == *"1" ]]
}

@test "exec gets the container's rlimits" {
    edit_config '.process.rlimits = [{type: "RLIMIT_NOFILE", hard: 512, soft: 256}]'
    start_container
    run rt exec "$ID" sh -c 'ulimit -n; ulimit -Hn'
    [ "${lines[0]}" = 256 ]
    [ "${lines[1]}" = 512 ]
}

@test "exec gets the container's seccomp filter" {
    edit_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
        syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]}
        | .mounts += [{destination: "/scratch", type: "tmpfs", source: "tmpfs", options: ["nosuid"]}]'
    start_container
    run rt exec "$ID" grep '^Seccomp:' /proc/self/status
    [[ $output == *2 ]]
    run rt exec "$ID" mkdir /scratch/x
    [ "$status" -ne 0 ]
    [[ $output == *"Operation not permitted"* ]]
}

@test "exec --process runs a process.json as given" {
    start_container
    cat > "$BATS_TEST_TMPDIR/process.json" <<'EOF'
{"args": ["sh", "-c", "echo $FROM_FILE; id -u; pwd"], "env": ["FROM_FILE=yes", "PATH=/bin:/usr/bin"],
 "cwd": "/home/app", "user": {"uid": 1000, "gid": 1000}, "terminal": false}
EOF
    run rt exec --process "$BATS_TEST_TMPDIR/process.json" "$ID"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = yes ]
    [ "${lines[1]}" = 1000 ]
    [ "${lines[2]}" = /home/app ]
}

@test "exec --detach --pid-file returns at once and writes the host pid of the running process" {
    start_container
    # The detached process must not hold bats' output pipe (or fd 3): its stdio goes to /dev/null.
    rt exec --detach --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$ID" sleep 30 < /dev/null > /dev/null 2>&1 3>&-
    local pid
    pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
    [ "$(readlink /proc/$pid/ns/pid)" = "$(readlink /proc/$INIT_PID/ns/pid)" ]
    # runc may write the pid file a moment before its init has exec'd the program.
    wait_for "[[ \$(tr '\\0' ' ' < /proc/$pid/cmdline) == 'sleep 30 ' ]]" 5
    kill -9 "$pid"
}

@test "exec --preserve-fds passes fds 3.. and nothing else leaks" {
    start_container
    run rt exec "$ID" sh -c 'ls /proc/self/fd | sort -n | tr "\n" " "'
    # ls itself holds one more fd for the directory it reads.
    [[ $output == "0 1 2 3 " ]]
    run rt exec --preserve-fds 1 "$ID" cat /proc/self/fd/3 3< "$BUNDLE/config.json"
    [ "$status" -eq 0 ]
    [[ $output == *ociVersion* ]]
}

@test "exec in a paused container fails; in a stopped one too" {
    requires_verb pause
    start_container
    rt pause "$ID"
    run rt exec "$ID" true
    [ "$status" -ne 0 ]
    [[ $output == *paused* ]]
    rt resume "$ID"
    rt kill "$ID" KILL
    wait_for "[ \"\$(rt state $ID | jq -r .status)\" = stopped ]"
    run rt exec "$ID" true
    [ "$status" -ne 0 ]
    [[ $output == *stopped* ]]
}

@test "exec --tty --console-socket sends the pty master of a pty inside the container" {
    start_container
    local sock=$BATS_TEST_TMPDIR/console.sock out=$BATS_TEST_TMPDIR/console.out
    python3 "$CONSOLE_RECEIVER" "$sock" "$out" --ready "$BATS_TEST_TMPDIR/ready" --timeout 20 3>&- &
    local receiver=$!
    wait_for "[ -e $BATS_TEST_TMPDIR/ready ]"
    # runc accepts a console socket only with --detach (the way conmon and the shim call it).
    run rt exec --detach --tty --console-socket "$sock" "$ID" sh -c 'tty; test -t 0 && echo stdin-is-a-tty'
    [ "$status" -eq 0 ]
    wait "$receiver"
    grep -q '/dev/pts/' "$out"
    grep -q 'stdin-is-a-tty' "$out"
}

@test "exec --tty in the foreground relays the terminal itself" {
    start_container
    run with_pty "$RUNTIME --root $STATE_ROOT exec --tty $ID sh -c 'tty; read line; echo got-\$line; exit 6'" <<< "typed"
    [ "$status" -eq 6 ]
    [[ $output == *"/dev/pts/"* ]]
    [[ $output == *got-typed* ]]
}

@test "exec enters the container's user namespace" {
    edit_config '.linux.namespaces += [{type: "user"}]
        | .linux.uidMappings = [{containerID: 0, hostID: 200000, size: 65536}]
        | .linux.gidMappings = [{containerID: 0, hostID: 200000, size: 65536}]
        | .mounts |= map(select(.type != "cgroup" and .type != "sysfs"))'
    start_container
    run rt exec "$ID" sh -c 'readlink /proc/self/ns/user; cat /proc/self/uid_map; id -u'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$(readlink /proc/$INIT_PID/ns/user)" ]
    [[ ${lines[1]} == *"200000"* ]]
    [ "${lines[2]}" = 0 ]
    # Seen from the host, the exec'd process runs as the mapped uid.
    rt exec --detach --pid-file "$BATS_TEST_TMPDIR/p" "$ID" sleep 30 < /dev/null > /dev/null 2>&1 3>&-
    [ "$(awk '/^Uid:/ {print $2}' /proc/$(cat "$BATS_TEST_TMPDIR/p")/status)" = 200000 ]
}
