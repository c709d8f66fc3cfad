#!/usr/bin/env bats
# containerd 1.6 (Debian's) with its runc v2 shim driving the runtime under test through `ctr run --runc-binary`:
# RUNTIME=/usr/local/bin/taurun bats conformance/containerd.bats (or RUNTIME=/usr/sbin/runc). The suite starts its
# own containerd with a private root, state dir and socket (the CRI plugin off), imports the local busybox OCI
# archive (conformance/setup.sh) and removes everything at the end. Nothing is pulled.

load helpers

CTRD_DIR=/run/taurun-conformance-containerd
NS=conformance
REF=localhost/taurun-busybox:latest

ctr_() {
    ctr --address "$CTRD_DIR/containerd.sock" --namespace "$NS" "$@"
}

# The shim runs the runtime with --root /run/containerd/runc/<namespace>.
runtime_root=/run/containerd/runc/$NS

setup_file() {
    require_setup containerd
    [[ -f $OCI_ARCHIVE ]] || { echo "$OCI_ARCHIVE missing: run conformance/setup.sh" >&2; return 1; }
    mkdir -p "$CTRD_DIR"
    cat > "$CTRD_DIR/config.toml" <<EOF
version = 2
root = "$CTRD_DIR/root"
state = "$CTRD_DIR/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CTRD_DIR/containerd.sock"
[ttrpc]
  address = "$CTRD_DIR/containerd.sock.ttrpc"
[debug]
  address = ""
EOF
    containerd --config "$CTRD_DIR/config.toml" > "$CTRD_DIR/containerd.log" 2>&1 3>&- &
    echo $! > "$CTRD_DIR/containerd.pid"
    wait_for "ctr_ version >/dev/null 2>&1" 20 || { cat "$CTRD_DIR/containerd.log" >&2; return 1; }
    ctr_ image import --base-name localhost/taurun-busybox "$OCI_ARCHIVE" >/dev/null
}

teardown_file() {
    local id
    for id in $(ctr_ task ls -q 2>/dev/null); do ctr_ task kill -s SIGKILL "$id" >/dev/null 2>&1; done
    sleep 0.5
    for id in $(ctr_ task ls -q 2>/dev/null); do ctr_ task delete -f "$id" >/dev/null 2>&1; done
    for id in $(ctr_ container ls -q 2>/dev/null); do ctr_ container delete "$id" >/dev/null 2>&1; done
    if [[ -f $CTRD_DIR/containerd.pid ]]; then
        kill "$(cat "$CTRD_DIR/containerd.pid")" 2>/dev/null
        wait_for "! kill -0 $(cat "$CTRD_DIR/containerd.pid") 2>/dev/null" 10
    fi
    local m
    while read -r m; do umount -l "$m" 2>/dev/null; done < <(findmnt -rn -o TARGET | grep "^$CTRD_DIR" | sort -r)
    rm -rf "$CTRD_DIR"
}

teardown() {
    local id
    for id in $(ctr_ container ls -q 2>/dev/null | grep "^conf-${BATS_TEST_NUMBER}-$$-"); do
        ctr_ task kill -s SIGKILL "$id" >/dev/null 2>&1
        wait_for "! ctr_ task ls 2>/dev/null | grep -q \"^$id .*RUNNING\"" 5
        ctr_ task delete -f "$id" >/dev/null 2>&1
        ctr_ container delete "$id" >/dev/null 2>&1
        if "$RUNTIME" --root "$runtime_root" state "$id" >/dev/null 2>&1; then
            echo "runtime state left behind for $id" >&2
            return 1
        fi
    done
}

# Waits until the task is STOPPED, deletes it and prints its exit status (ctr reports it on stderr as a warning).
task_exit_code() {
    local id=$1 out
    wait_for "ctr_ task ls 2>/dev/null | grep -q \"^$id .*STOPPED\"" 20 || return 1
    out=$(ctr_ task delete "$id" 2>&1)
    if [[ $out =~ exit\ code\ ([0-9]+) ]]; then echo "${BASH_REMATCH[1]}"; else echo 0; fi
}

@test "ctr run: output and exit code" {
    local id
    id=$(unique_name)
    run ctr_ run --rm --runc-binary "$RUNTIME" "$REF" "$id" sh -c 'echo hello from containerd; exit 3'
    [ "$status" -eq 3 ]
    [ "$output" = "hello from containerd" ]
}

@test "ctr run: the runtime keeps its state under the shim's root while the task runs, none after" {
    local id
    id=$(unique_name)
    ctr_ run -d --runc-binary "$RUNTIME" "$REF" "$id" sleep 1000
    wait_for "ctr_ task ls | grep -q \"^$id .*RUNNING\""
    run "$RUNTIME" --root "$runtime_root" state "$id"
    [ "$status" -eq 0 ]
    [ "$(jq -r .status <<< "$output")" = running ]
    ctr_ task kill -s SIGKILL "$id"
    task_exit_code "$id" > /dev/null
    ctr_ container delete "$id"
    run "$RUNTIME" --root "$runtime_root" state "$id"
    [ "$status" -ne 0 ]
    [[ $output == *"does not exist"* ]]
}

@test "ctr task exec: output, exit code, user, a missing command" {
    local id
    id=$(unique_name)
    ctr_ run -d --runc-binary "$RUNTIME" "$REF" "$id" sleep 1000
    wait_for "ctr_ task ls | grep -q \"^$id .*RUNNING\""
    run ctr_ task exec --exec-id e1 "$id" sh -c 'echo in-exec; cat /proc/1/cmdline | tr "\0" " "'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = in-exec ]
    [ "${lines[1]}" = "sleep 1000 " ]
    run ctr_ task exec --exec-id e2 "$id" sh -c 'exit 5'
    [ "$status" -eq 5 ]
    run ctr_ task exec --exec-id e3 --user 1000 "$id" id -u
    [ "$output" = 1000 ]
    run ctr_ task exec --exec-id e4 "$id" no-such-command
    [ "$status" -ne 0 ]
    [[ $output == *"executable file not found"* ]]
}

@test "ctr task exec -t: a pty inside the container" {
    local id
    id=$(unique_name)
    ctr_ run -d --runc-binary "$RUNTIME" "$REF" "$id" sleep 1000
    wait_for "ctr_ task ls | grep -q \"^$id .*RUNNING\""
    run with_pty "ctr --address $CTRD_DIR/containerd.sock --namespace $NS task exec -t --exec-id t1 $id sh -c 'tty; test -t 0 && echo stdin-is-a-tty'"
    [ "$status" -eq 0 ]
    [[ $output == *"/dev/pts/"* ]]
    [[ $output == *stdin-is-a-tty* ]]
}

@test "ctr run -t: the container's terminal" {
    local id
    id=$(unique_name)
    run with_pty "ctr --address $CTRD_DIR/containerd.sock --namespace $NS run -t --rm --runc-binary $RUNTIME $REF $id sh -c 'tty; read line; echo got-\$line; exit 4'" <<< "typed"
    [ "$status" -eq 4 ]
    [[ $output == *"/dev/pts/0"* ]]
    [[ $output == *got-typed* ]]
}

@test "ctr task kill: signals by name reach the process; the exit code is reported" {
    local id
    id=$(unique_name)
    ctr_ run -d --runc-binary "$RUNTIME" "$REF" "$id" sh -c 'trap "exit 42" USR1; while :; do sleep 0.1; done'
    wait_for "ctr_ task ls | grep -q \"^$id .*RUNNING\""
    sleep 0.3
    ctr_ task kill -s SIGUSR1 "$id"
    run task_exit_code "$id"
    [ "$output" = 42 ]

    id=$(unique_name 2)
    ctr_ run -d --runc-binary "$RUNTIME" "$REF" "$id" sleep 1000
    wait_for "ctr_ task ls | grep -q \"^$id .*RUNNING\""
    ctr_ task kill -s SIGKILL "$id"
    run task_exit_code "$id"
    [ "$output" = 137 ]
}

@test "ctr task delete and container delete leave nothing behind" {
    local id pid
    id=$(unique_name)
    ctr_ run -d --runc-binary "$RUNTIME" "$REF" "$id" sleep 1000
    wait_for "ctr_ task ls | grep -q \"^$id .*RUNNING\""
    pid=$(ctr_ task ls | awk -v id="$id" '$1 == id { print $2 }')
    run ctr_ task delete "$id"
    [ "$status" -ne 0 ]    # refused while running
    ctr_ task kill -s SIGKILL "$id"
    task_exit_code "$id" > /dev/null
    ctr_ container delete "$id"
    [ ! -e "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ]
    run "$RUNTIME" --root "$runtime_root" state "$id"
    [ "$status" -ne 0 ]
    run ctr_ container ls -q
    [[ $output != *"$id"* ]]
}

@test "ctr task ps lists the container's processes (runtime ps --format json)" {
    requires_verb ps
    local id pid
    id=$(unique_name)
    ctr_ run -d --runc-binary "$RUNTIME" "$REF" "$id" sh -c 'sleep 1000 & sleep 1001'
    wait_for "ctr_ task ls | grep -q \"^$id .*RUNNING\""
    pid=$(ctr_ task ls | awk -v id="$id" '$1 == id { print $2 }')
    wait_for "[ \$(ctr_ task ps $id | tail -n +2 | wc -l) -ge 2 ]"
    run ctr_ task ps "$id"
    [ "$status" -eq 0 ]
    [[ $output == *"$pid"* ]]
    [ "$(tail -n +2 <<< "$output" | wc -l)" -ge 2 ]
}

@test "ctr task pause and resume" {
    requires_verb pause
    local id
    id=$(unique_name)
    ctr_ run -d --runc-binary "$RUNTIME" "$REF" "$id" sleep 1000
    wait_for "ctr_ task ls | grep -q \"^$id .*RUNNING\""
    ctr_ task pause "$id"
    run ctr_ task ls
    [[ $output == *"$id"*PAUSED* ]]
    ctr_ task resume "$id"
    run ctr_ task ls
    [[ $output == *"$id"*RUNNING* ]]
}
