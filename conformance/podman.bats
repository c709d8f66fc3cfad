#!/usr/bin/env bats
# Podman (with conmon) driving the runtime under test: RUNTIME=/usr/local/bin/taurun bats conformance/podman.bats,
# or RUNTIME=/usr/sbin/runc for the reference. Uses the local image localhost/taurun-busybox (conformance/setup.sh);
# nothing is pulled. Each test names its containers conf-<test>-<pid>-*, and teardown removes them and checks that
# the runtime has no state left for any of them.

load helpers

pm() {
    podman --runtime "$RUNTIME" "$@"
}

setup_file() {
    require_setup podman
    podman image exists "$IMAGE" || { echo "$IMAGE missing: run conformance/setup.sh" >&2; return 1; }
}

teardown() {
    local ids id
    ids=$(podman ps -a --no-trunc --filter "name=^conf-${BATS_TEST_NUMBER}-$$-" --format '{{.ID}}')
    for id in $ids; do podman rm -f -t 0 "$id" >/dev/null 2>&1 || true; done
    # Nothing of these containers may stay in the runtime's state root.
    for id in $ids; do
        if "$RUNTIME" state "$id" >/dev/null 2>&1; then
            echo "runtime state left behind for $id" >&2
            return 1
        fi
    done
}

@test "run --rm prints the container's output" {
    run pm run --rm "$IMAGE" echo hello from podman
    [ "$status" -eq 0 ]
    [ "$output" = "hello from podman" ]
}

@test "run: the exit code propagates" {
    run pm run --rm "$IMAGE" sh -c 'exit 42'
    [ "$status" -eq 42 ]
}

@test "run: a command that does not exist exits 127" {
    run -127 pm run --rm "$IMAGE" no-such-command
    [ "$status" -eq 127 ]
    [[ $output == *"executable file not found"* ]]
}

@test "run: a file that is not executable exits 126" {
    run pm run --rm "$IMAGE" /etc/passwd
    [ "$status" -eq 126 ]
    [[ $output == *"permission denied"* ]]
}

@test "a process killed by a signal exits 128+N (run, exec)" {
    local name
    name=$(unique_name)
    pm run -d --name "$name" "$IMAGE" sleep 1000
    # The container's pid 1 ignores signals sent from inside its pid namespace; an exec'd process does not.
    run pm exec "$name" sh -c 'kill -9 $$'
    [ "$status" -eq 137 ]
    pm kill -s KILL "$name"
    run podman wait "$name"
    [ "$output" = 137 ]
}

@test "run -it: a real pty, input typed into it, the exit code" {
    run with_pty "podman --runtime $RUNTIME run -it --rm $IMAGE sh -c 'tty; read line; echo got-\$line; exit 7'" <<< "input-line"
    [ "$status" -eq 7 ]
    [[ $output == *"/dev/pts/0"* ]]
    [[ $output == *"got-input-line"* ]]
}

@test "run -d, logs, stop, rm" {
    local name
    name=$(unique_name)
    pm run -d --name "$name" "$IMAGE" sh -c 'echo started; trap "echo stopping; exit 0" TERM; while :; do sleep 0.1; done'
    wait_for "podman logs $name 2>/dev/null | grep -q started"
    run podman inspect -f '{{.State.Status}}' "$name"
    [ "$output" = running ]
    run pm stop -t 10 "$name"
    [ "$status" -eq 0 ]
    run podman logs "$name"
    [[ $output == *stopping* ]]
    run podman inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$name"
    [ "$output" = "exited 0" ]
    run pm rm "$name"
    [ "$status" -eq 0 ]
    run podman container exists "$name"
    [ "$status" -eq 1 ]
}

@test "exec: plain, with its exit code" {
    local name
    name=$(unique_name)
    pm run -d --name "$name" "$IMAGE" sleep 1000
    run pm exec "$name" sh -c 'echo in-exec; cat /proc/1/cmdline | tr "\0" " "'
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == in-exec ]]
    [[ ${lines[1]} == "sleep 1000 " ]]
    run pm exec "$name" sh -c 'exit 9'
    [ "$status" -eq 9 ]
}

@test "exec: 127 for a missing command, 126 for a file that is not executable" {
    local name
    name=$(unique_name)
    pm run -d --name "$name" "$IMAGE" sleep 1000
    run -127 pm exec "$name" no-such-command
    [ "$status" -eq 127 ]
    run pm exec "$name" /etc/passwd
    [ "$status" -eq 126 ]
}

@test "exec -t: a pty inside the container" {
    local name
    name=$(unique_name)
    pm run -d --name "$name" "$IMAGE" sleep 1000
    run with_pty "podman --runtime $RUNTIME exec -it $name sh -c 'tty; test -t 0 && echo stdin-is-a-tty'"
    [ "$status" -eq 0 ]
    [[ $output == *"/dev/pts/"* ]]
    [[ $output == *stdin-is-a-tty* ]]
}

@test "exec -u, -w, -e" {
    local name
    name=$(unique_name)
    pm run -d --name "$name" "$IMAGE" sleep 1000
    run pm exec -u 1000:1000 "$name" id
    [ "$output" = "uid=1000(app) gid=1000(app) groups=1000(app)" ] || [ "$output" = "uid=1000(app) gid=1000(app)" ]
    run pm exec -w /tmp "$name" pwd
    [ "$output" = /tmp ]
    run pm exec -e GREETING=hej "$name" sh -c 'echo $GREETING'
    [ "$output" = hej ]
}

@test "exec joins the container's namespaces and cgroup" {
    local name pid
    name=$(unique_name)
    pm run -d --name "$name" "$IMAGE" sleep 1000
    pid=$(podman inspect -f '{{.State.Pid}}' "$name")
    run pm exec "$name" sh -c 'for n in mnt uts ipc net pid cgroup; do readlink /proc/self/ns/$n; done; cat /proc/self/cgroup'
    [ "$status" -eq 0 ]
    local n
    for n in mnt uts ipc net pid; do
        [[ $output == *"$(readlink /proc/$pid/ns/$n)"* ]]
    done
    # Same cgroup in every hierarchy as the container's first process.
    while read -r line; do
        [[ $output == *"$line"* ]]
    done < "/proc/$pid/cgroup"
}

@test "exec in a paused container fails; after unpause it works" {
    requires_verb pause
    local name
    name=$(unique_name)
    pm run -d --name "$name" "$IMAGE" sleep 1000
    pm pause "$name"
    run pm exec "$name" true
    [ "$status" -ne 0 ]
    pm unpause "$name"
    run pm exec "$name" true
    [ "$status" -eq 0 ]
}

@test "kill with signals: name, number, default" {
    local name
    name=$(unique_name)
    pm run -d --name "$name" "$IMAGE" sh -c 'trap "exit 42" USR1; while :; do sleep 0.1; done'
    sleep 0.5
    pm kill -s USR1 "$name"
    run podman wait "$name"
    [ "$output" = 42 ]

    name=$(unique_name 2)
    pm run -d --name "$name" "$IMAGE" sh -c 'trap "exit 43" 12; while :; do sleep 0.1; done'
    sleep 0.5
    pm kill -s 12 "$name"
    run podman wait "$name"
    [ "$output" = 43 ]

    name=$(unique_name 3)
    pm run -d --name "$name" "$IMAGE" sleep 1000
    pm kill "$name"
    run podman wait "$name"
    [ "$output" = 137 ]
}

@test "pause and unpause freeze and thaw every process" {
    requires_verb pause
    local name pid a b c
    name=$(unique_name)
    # The counter file is replaced by rename, so a read never sees it half-written.
    pm run -d --name "$name" "$IMAGE" sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/c.new; mv /tmp/c.new /tmp/count; sleep 0.05; done'
    pid=$(podman inspect -f '{{.State.Pid}}' "$name")
    sleep 0.5
    pm pause "$name"
    run podman inspect -f '{{.State.Status}}' "$name"
    [ "$output" = paused ]
    a=$(cat "/proc/$pid/root/tmp/count")
    sleep 0.5
    b=$(cat "/proc/$pid/root/tmp/count")
    [ "$a" = "$b" ]
    pm unpause "$name"
    sleep 0.5
    c=$(cat "/proc/$pid/root/tmp/count")
    [ "$c" -gt "$b" ]
}

@test "--memory is enforced (the OOM killer ends a process above it)" {
    run pm run --rm --memory 32m --memory-swap 32m "$IMAGE" cat /sys/fs/cgroup/memory/memory.limit_in_bytes
    [ "$status" -eq 0 ]
    [ "$output" = 33554432 ]
    run pm run --rm --memory 32m --memory-swap 32m "$IMAGE" dd if=/dev/zero of=/dev/null bs=64M count=1
    [ "$status" -eq 137 ]
}

@test "podman update changes a running container's memory limit" {
    requires_verb update
    local name id
    name=$(unique_name)
    pm run -d --name "$name" --memory 64m "$IMAGE" sleep 1000
    id=$(podman inspect -f '{{.Id}}' "$name")
    local file=/sys/fs/cgroup/memory/libpod_parent/libpod-$id/memory.limit_in_bytes
    [ "$(cat "$file")" = 67108864 ]
    run pm update --memory 48m "$name"
    [ "$status" -eq 0 ]
    [ "$(cat "$file")" = 50331648 ]
}

@test "--pids-limit is enforced" {
    run pm run --rm --pids-limit 5 "$IMAGE" sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 1 & done; wait'
    [[ $output == *"can't fork"* ]]
}

@test "--read-only: the root is read-only, the tmpfs Podman adds is not" {
    run pm run --rm --read-only "$IMAGE" touch /newfile
    [ "$status" -ne 0 ]
    [[ $output == *"Read-only file system"* ]]
    run pm run --rm --read-only "$IMAGE" touch /tmp/newfile
    [ "$status" -eq 0 ]
}

@test "--cap-drop and --cap-add set exactly those capabilities" {
    run pm run --rm --cap-drop all --cap-add NET_ADMIN "$IMAGE" grep CapEff /proc/self/status
    [ "$output" = "CapEff:	0000000000001000" ]
    run pm run --rm --cap-drop CHOWN "$IMAGE" chown 1000 /tmp
    [ "$status" -ne 0 ]
    run pm run --rm "$IMAGE" chown 1000 /tmp
    [ "$status" -eq 0 ]
}

@test "--user runs as that uid and gid" {
    run pm run --rm --user 1000:1000 "$IMAGE" id
    [[ $output == "uid=1000(app) gid=1000(app)"* ]]
    run pm run --rm --user 1000:1000 "$IMAGE" touch /root/x
    [ "$status" -ne 0 ]
}

@test "--network none leaves only the loopback interface" {
    run pm run --rm --network none "$IMAGE" sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
    [ "$status" -eq 0 ]
    [ "$output" = lo ]
}

@test "--restart on-failure restarts the container" {
    local name
    name=$(unique_name)
    pm run -d --name "$name" --restart on-failure:2 "$IMAGE" sh -c 'echo ran; exit 1'
    wait_for "[ \"\$(podman inspect -f '{{.RestartCount}} {{.State.Status}}' $name)\" = '2 exited' ]" 30
    run podman logs "$name"
    [ "$(grep -c ran <<< "$output")" -eq 3 ]
}

@test "20 parallel runs all succeed with their own output" {
    local i pids=() dir=$BATS_TEST_TMPDIR
    for i in $(seq 1 20); do
        pm run --rm --name "$(unique_name "$i")" "$IMAGE" sh -c "echo out-$i" > "$dir/$i.out" 2> "$dir/$i.err" &
        pids+=($!)
    done
    local failed=0
    for i in "${!pids[@]}"; do wait "${pids[$i]}" || failed=$((failed + 1)); done
    for i in $(seq 1 20); do
        [ "$(cat "$dir/$i.out")" = "out-$i" ] || { cat "$dir/$i.err" >&2; failed=$((failed + 1)); }
    done
    [ "$failed" -eq 0 ]
}

@test "containers.conf [engine.runtimes] entry and runtime_supports_json: errors arrive as JSON and map to 127" {
    local conf=$BATS_TEST_TMPDIR/containers.conf
    cat > "$conf" <<EOF
[containers]
default_ulimits = []

[engine]
runtime_supports_json = ["crun", "runc", "kata", "runsc", "krun", "taurun", "conformance-runtime"]

[engine.runtimes]
conformance-runtime = ["$RUNTIME"]
EOF
    run env CONTAINERS_CONF="$conf" podman --runtime conformance-runtime run --rm "$IMAGE" echo by-name
    [ "$status" -eq 0 ]
    [ "$output" = by-name ]
    run -127 env CONTAINERS_CONF="$conf" podman --runtime conformance-runtime run --rm "$IMAGE" no-such-command
    [ "$status" -eq 127 ]
    [[ $output == *'exec: "no-such-command": executable file not found in $PATH'* ]]
}

@test "run --timeout: conmon kills the container, Podman exits 255 (exit code -1) in bounded time" {
    local name t0 t1
    name=$(unique_name)
    t0=$SECONDS
    run pm run --name "$name" --timeout 2 "$IMAGE" sleep 60
    t1=$SECONDS
    [ "$status" -eq 255 ]
    run podman inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$name"
    [ "$output" = "exited -1" ]
    # conmon's timer starts after create; 2 s plus start and cleanup. Without an exit file Podman waits ~25 s.
    [ $((t1 - t0)) -ge 2 ]
    [ $((t1 - t0)) -le 10 ]
}

@test "the container's first process leads its own process group (what conmon's --timeout kills)" {
    local name pid conmon
    name=$(unique_name)
    pm run -d --name "$name" "$IMAGE" sleep 1000
    pid=$(podman inspect -f '{{.State.Pid}}' "$name")
    conmon=$(podman inspect -f '{{.State.ConmonPid}}' "$name")
    # conmon sends SIGKILL to -getpgid(container pid): in conmon's own group it would kill conmon before it writes
    # the exit file.
    [ "$(ps -o pgid= -p "$pid" | tr -d ' ')" = "$pid" ]
    [ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ]
    [ "$(ps -o pgid= -p "$conmon" | tr -d ' ')" != "$pid" ]
}

@test "checkpoint without CRIU support fails clearly and leaves the container running" {
    local name
    name=$(unique_name)
    pm run -d --name "$name" "$IMAGE" sleep 1000
    run pm container checkpoint "$name"
    [ "$status" -ne 0 ]
    # runc: CRIU is missing or fails (depends on the host); taurun: Podman learns the runtime cannot checkpoint.
    [[ ${output,,} == *criu* || $output == *"does not support checkpoint"* ]]
    run podman inspect -f '{{.State.Status}}' "$name"
    [ "$output" = running ]
}
