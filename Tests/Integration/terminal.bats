#!/usr/bin/env bats
# process.terminal through --console-socket: the runtime sends the pty master over the socket (SCM_RIGHTS) before
# `create` returns, and the container's stdio is the pty slave.

load helpers

# Starts console_receiver.py on $SOCKET, writing what the terminal shows to $CONSOLE_OUT; waits until it listens.
start_receiver() {
    SOCKET="$BATS_TEST_TMPDIR/console.sock"
    CONSOLE_OUT="$BATS_TEST_TMPDIR/console.out"
    python3 "$BATS_TEST_DIRNAME/console_receiver.py" "$SOCKET" "$CONSOLE_OUT" \
        --ready "$BATS_TEST_TMPDIR/ready" --timeout 20 "$@" 3>&- &
    RECEIVER=$!
    BG_PIDS+=("$RECEIVER")
    wait_file "$BATS_TEST_TMPDIR/ready"
}

@test "terminal: the pty master arrives over the console socket; tty inside is /dev/pts/0" {
    start_receiver
    cfg '.process.terminal = true'
    set_args sh -c 'tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-stdio-is-a-tty; echo through-the-pty'
    id=$(new_id)
    rt create --console-socket "$SOCKET" --bundle "$BUNDLE" "$id" < /dev/null > /dev/null 2>&1
    # The master was handed over before create returned.
    [ -s "$CONSOLE_OUT.fdinfo" ] || sleep 0.5
    [[ $(cat "$CONSOLE_OUT.fdinfo") == *ptmx* ]]
    rt start "$id"
    local rc=0
    wait "$RECEIVER" || rc=$?
    [ "$rc" -eq 0 ]
    local out
    out=$(tr -d '\r' < "$CONSOLE_OUT")
    echo "$out"
    [[ $out == *"/dev/pts/0"* ]]
    [[ $out == *all-stdio-is-a-tty* ]]
    [[ $out == *through-the-pty* ]]
    wait_status "$id" stopped
}

@test "terminal: input written to the master reaches the process" {
    start_receiver --input $'hello-from-the-master\n'
    cfg '.process.terminal = true'
    set_args sh -c 'read line; echo "got:$line"'
    id=$(new_id)
    rt create --console-socket "$SOCKET" --bundle "$BUNDLE" "$id" < /dev/null > /dev/null 2>&1
    rt start "$id"
    wait "$RECEIVER"
    [[ $(tr -d '\r' < "$CONSOLE_OUT") == *"got:hello-from-the-master"* ]]
}

@test "terminal: run --detach with a console socket" {
    start_receiver
    cfg '.process.terminal = true'
    set_args sh -c 'echo detached-tty; tty'
    id=$(new_id)
    rt run --detach --console-socket "$SOCKET" --bundle "$BUNDLE" "$id" < /dev/null > /dev/null 2>&1
    wait "$RECEIVER"
    [[ $(tr -d '\r' < "$CONSOLE_OUT") == *detached-tty* ]]
    [[ $(tr -d '\r' < "$CONSOLE_OUT") == *"/dev/pts/0"* ]]
}

@test "terminal: the pty has the devpts gid and a sane mode" {
    start_receiver
    cfg '.process.terminal = true'
    set_args sh -c 'stat -c "%a %g" $(tty)'
    id=$(new_id)
    rt create --console-socket "$SOCKET" --bundle "$BUNDLE" "$id" < /dev/null > /dev/null 2>&1
    rt start "$id"
    wait "$RECEIVER"
    local mode_gid
    mode_gid=$(tr -d '\r' < "$CONSOLE_OUT" | tail -n 1)
    [[ $mode_gid =~ ^6[0-2]0\ [05]$ ]]
}
