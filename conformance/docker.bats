#!/usr/bin/env bats
# Docker (Debian's docker.io 20.10) driving the runtime under test: RUNTIME=/usr/local/bin/taurun bats
# conformance/docker.bats, or RUNTIME=/usr/sbin/runc / /usr/bin/crun for the references. setup_file starts a private
# containerd and a private dockerd under one temp dir (data root, exec root, sockets, cgroup parent; no iptables, no
# bridge) with `--add-runtime taurun=$RUNTIME`, and imports the busybox-static rootfs (conformance/setup.sh builds it)
# as busybox-local. Every container runs with `--runtime taurun --network none`. Nothing is pulled; teardown_file
# stops both daemons and removes every process, mount, cgroup and file they made.

load helpers

# Debian's client, the daemon's own version (another docker client earlier in PATH would negotiate down; pin this one).
DOCKER_CLI=/usr/bin/docker
DOCKERD=/usr/sbin/dockerd
DIMAGE=busybox-local

dk() {
    DOCKER_CONFIG=$DOCKER_DIR/client "$DOCKER_CLI" -H "unix://$DOCKER_DIR/docker.sock" "$@"
}

# The same client as one shell command line, for with_pty (script(1) runs it through sh).
dk_line() {
    echo "DOCKER_CONFIG=$DOCKER_DIR/client $DOCKER_CLI -H unix://$DOCKER_DIR/docker.sock"
}

# `docker run` with the runtime under test and no network.
drun() {
    dk run --runtime taurun --network none "$@"
}

# dockerd runs every runtime through containerd's runc v2 shim, which gives it --root <exec-root>/runtime-runc/moby.
runtime_root() {
    echo "$DOCKER_DIR/exec/runtime-runc/moby"
}

stop_pid() {
    local pid=$1 limit=${2:-30}
    kill -0 "$pid" 2>/dev/null || return 0
    kill "$pid" 2>/dev/null || true
    wait_for "! kill -0 $pid 2>/dev/null" "$limit" || { kill -9 "$pid" 2>/dev/null || true; sleep 0.5; }
}

setup_file() {
    require_setup "$DOCKERD"
    [[ -x $DOCKER_CLI ]] || { echo "$DOCKER_CLI missing: run conformance/setup.sh (docker.io)" >&2; return 1; }
    command -v containerd >/dev/null || { echo "containerd missing: run conformance/setup.sh" >&2; return 1; }
    [[ -x $REPO_ROOT/build/rootfs/bin/busybox ]] \
        || { echo "build/rootfs missing: run conformance/setup.sh" >&2; return 1; }

    DOCKER_DIR=$(mktemp -d /tmp/taurun-conformance-docker.XXXXXX)
    export DOCKER_DIR
    local dir=$DOCKER_DIR
    # dockerd always makes /run/docker/plugins, and the shims put their sockets in /run/containerd/s (fixed paths);
    # remove those directories at the end only if this run made them (and they are empty).
    [[ -e /run/docker ]] || touch "$dir/made-run-docker"
    [[ -e /run/containerd/s ]] || touch "$dir/made-run-containerd-s"
    [[ -e /run/containerd ]] || touch "$dir/made-run-containerd"
    mkdir -p "$dir/client" "$dir/data" "$dir/exec"
    echo "/$(basename "$dir")" > "$dir/cgroup-parent"

    # Our own containerd (as Debian's docker.service uses the system one): dockerd would otherwise pick up a system
    # containerd listening on /run/containerd/containerd.sock.
    cat > "$dir/containerd.toml" <<EOF
version = 2
root = "$dir/containerd-root"
state = "$dir/containerd-state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$dir/containerd.sock"
[ttrpc]
  address = "$dir/containerd.sock.ttrpc"
[debug]
  address = ""
EOF
    containerd --config "$dir/containerd.toml" > "$dir/containerd.log" 2>&1 3>&- &
    echo $! > "$dir/containerd.pid"
    wait_for "[ -S $dir/containerd.sock ]" 20 || { cat "$dir/containerd.log" >&2; return 1; }

    # The trust key (key.json) would go to /etc/docker without this; no /etc/docker/daemon.json is read.
    printf '{"deprecated-key-path": "%s"}\n' "$dir/key.json" > "$dir/daemon.json"
    "$DOCKERD" --config-file "$dir/daemon.json" \
        --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
        -H "unix://$dir/docker.sock" --containerd "$dir/containerd.sock" \
        --cgroup-parent "$(cat "$dir/cgroup-parent")" \
        --iptables=false --ip-masq=false --ip-forward=false --bridge=none \
        --add-runtime "taurun=$RUNTIME" > "$dir/dockerd.log" 2>&1 3>&- &
    echo $! > "$dir/dockerd.bgpid"
    wait_for "dk version >/dev/null 2>&1" 30 || { tail -n 30 "$dir/dockerd.log" >&2; return 1; }

    tar -C "$REPO_ROOT/build/rootfs" --exclude ./.taurun-rootfs -c . \
        | dk import --change 'CMD ["/bin/sh"]' - "$DIMAGE" >/dev/null
}

teardown_file() {
    local dir=${DOCKER_DIR:-} id pid m
    [[ -n $dir && -d $dir ]] || return 0
    if [[ -S $dir/docker.sock ]]; then
        for id in $(dk ps -aq 2>/dev/null); do dk rm -f "$id" >/dev/null 2>&1 || true; done
    fi
    [[ ! -f $dir/dockerd.bgpid ]] || stop_pid "$(cat "$dir/dockerd.bgpid")" 30
    [[ ! -f $dir/containerd.pid ]] || stop_pid "$(cat "$dir/containerd.pid")" 15
    # Shims outlive containerd when a task is still running: end those of this run (their command line names $dir).
    for pid in $(pgrep -f -- "$dir/"); do stop_pid "$pid" 5; done
    while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(findmnt -rn -o TARGET | grep "^$dir" | sort -r)
    local parent
    parent=$(cat "$dir/cgroup-parent" 2>/dev/null)
    if [[ -n $parent ]]; then
        # Deepest first: the container cgroups (normally gone already), then the parent in every hierarchy.
        find /sys/fs/cgroup/*"$parent" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    fi
    [[ ! -f $dir/made-run-docker ]] || rmdir /run/docker/plugins /run/docker 2>/dev/null || true
    [[ ! -f $dir/made-run-containerd-s ]] || rmdir /run/containerd/s 2>/dev/null || true
    [[ ! -f $dir/made-run-containerd ]] || rmdir /run/containerd 2>/dev/null || true
    rm -rf "$dir"

    # Nothing of this run may survive.
    local left=()
    [[ -z $(pgrep -f -- "$dir/") ]] || left+=("processes: $(pgrep -af -- "$dir/")")
    [[ -z $(findmnt -rn -o TARGET | grep "^$dir") ]] || left+=("mounts under $dir")
    if [[ -n $parent ]] && compgen -G "/sys/fs/cgroup/*$parent" >/dev/null; then left+=("cgroups $parent"); fi
    if ((${#left[@]} > 0)); then
        printf 'left behind: %s\n' "${left[@]}" >&2
        return 1
    fi
}

teardown() {
    local ids id
    ids=$(dk ps -aq --no-trunc --filter "name=^conf-${BATS_TEST_NUMBER}-$$-" 2>/dev/null)
    for id in $ids; do dk rm -f "$id" >/dev/null 2>&1 || true; done
    # Nothing of these containers may stay in the runtime's state root.
    for id in $ids; do
        if "$RUNTIME" --root "$(runtime_root)" state "$id" >/dev/null 2>&1; then
            echo "runtime state left behind for $id" >&2
            return 1
        fi
    done
}

@test "docker info lists the runtime" {
    run dk info --format '{{json .Runtimes}}'
    [ "$status" -eq 0 ]
    [[ $output == *'"taurun":{"path":"'"$RUNTIME"'"'* ]]
}

@test "run --rm: stdout and the exit code pass through" {
    run drun --rm "$DIMAGE" sh -c 'echo hello from docker; exit 3'
    [ "$status" -eq 3 ]
    [ "$output" = "hello from docker" ]
    run drun --rm "$DIMAGE" true
    [ "$status" -eq 0 ]
    [ "$output" = "" ]
}

@test "run: a missing command exits 127, a file that is not executable 126" {
    # Docker maps runc's wording of these create errors ("executable file not found", "permission denied").
    [[ $(runtime_name) != crun ]] || skip "crun 1.8.1 words these errors its own way; Docker 20.10 then reports 125"
    run -127 drun --rm "$DIMAGE" no-such-command
    [[ $output == *"executable file not found"* ]]
    run -126 drun --rm "$DIMAGE" /etc/passwd
    [[ $output == *"permission denied"* ]]
}

@test "run -d, inspect State, logs, exec with its exit code, stop, rm" {
    local name pid
    name=$(unique_name)
    drun -d --name "$name" "$DIMAGE" sh -c 'echo started; trap "echo stopping; exit 0" TERM; while :; do sleep 0.1; done'
    wait_for "dk logs $name 2>/dev/null | grep -q started"
    run dk inspect -f '{{.State.Status}} {{.State.Running}} {{.State.Paused}}' "$name"
    [ "$output" = "running true false" ]
    pid=$(dk inspect -f '{{.State.Pid}}' "$name")
    [ "$pid" -gt 0 ]
    [ -d "/proc/$pid" ]

    run dk exec "$name" sh -c 'echo in-exec; cat /proc/1/cmdline | tr "\0" " "'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = in-exec ]
    [[ ${lines[1]} == "sh -c echo started;"* ]]
    run dk exec "$name" sh -c 'exit 9'
    [ "$status" -eq 9 ]
    # Docker 20.10 reports any exec that cannot start as 126 (runc gives the same); the runtime's message is shown.
    run -126 dk exec "$name" no-such-command
    [[ $output == *no-such-command*"not found"* ]]

    run dk stop -t 10 "$name"
    [ "$status" -eq 0 ]
    run dk logs "$name"
    [[ $output == *stopping* ]]
    run dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$name"
    [ "$output" = "exited 0" ]
    run dk rm "$name"
    [ "$status" -eq 0 ]
    run dk inspect "$name"
    [ "$status" -ne 0 ]
}

@test "stop: a process that ignores SIGTERM is killed after the timeout (137)" {
    local name
    name=$(unique_name)
    drun -d --name "$name" "$DIMAGE" sleep 1000
    run dk stop -t 1 "$name"
    [ "$status" -eq 0 ]
    run dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$name"
    [ "$output" = "exited 137" ]
}

@test "exec -u, -w, -e; exec -it with a real pty" {
    local name
    name=$(unique_name)
    drun -d --name "$name" "$DIMAGE" sleep 1000
    run dk exec -u 1000:1000 -w /tmp -e GREETING=hej "$name" sh -c 'id; pwd; echo $GREETING'
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "uid=1000(app) gid=1000(app)"* ]]
    [ "${lines[1]}" = /tmp ]
    [ "${lines[2]}" = hej ]
    run with_pty "$(dk_line) exec -it $name sh -c 'tty; test -t 0 && echo stdin-is-a-tty; exit 6'"
    [ "$status" -eq 6 ]
    [[ $output == *"/dev/pts/"* ]]
    [[ $output == *stdin-is-a-tty* ]]
}

@test "run -it: a real pty, input typed into it, the exit code; run -t without -i" {
    run with_pty "$(dk_line) run -it --rm --runtime taurun --network none $DIMAGE \
        sh -c 'tty; read line; echo got-\$line; exit 7'" <<< "input-line"
    [ "$status" -eq 7 ]
    [[ $output == *"/dev/pts/0"* ]]
    [[ $output == *"got-input-line"* ]]
    # -t alone: the container's output comes through its terminal (CR LF line ends).
    run drun -t --rm "$DIMAGE" sh -c 'tty; exit 4'
    [ "$status" -eq 4 ]
    [ "$output" = $'/dev/pts/0\r' ]
}

@test "pause and unpause freeze and thaw every process; exec in a paused container fails" {
    requires_verb pause
    local name pid a b c
    name=$(unique_name)
    # The counter file is replaced by rename, so a read never sees it half-written.
    drun -d --name "$name" "$DIMAGE" sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/c.new; mv /tmp/c.new /tmp/count; sleep 0.05; done'
    pid=$(dk inspect -f '{{.State.Pid}}' "$name")
    wait_for "[ -s /proc/$pid/root/tmp/count ]"
    run dk pause "$name"
    if [[ $status -ne 0 && ${output,,} == *"not supported"* ]]; then
        skip "docker says pause is not supported here: $output"
    fi
    [ "$status" -eq 0 ]
    run dk inspect -f '{{.State.Status}} {{.State.Paused}}' "$name"
    [ "$output" = "paused true" ]
    a=$(cat "/proc/$pid/root/tmp/count")
    sleep 0.5
    b=$(cat "/proc/$pid/root/tmp/count")
    [ "$a" = "$b" ]
    run dk exec "$name" true
    [ "$status" -ne 0 ]
    [[ $output == *paused* ]]
    run dk unpause "$name"
    [ "$status" -eq 0 ]
    wait_for "[ \$(cat /proc/$pid/root/tmp/count) -gt $b ]" 5
    c=$(cat "/proc/$pid/root/tmp/count")
    [ "$c" -gt "$b" ]
    run dk inspect -f '{{.State.Status}} {{.State.Paused}}' "$name"
    [ "$output" = "running false" ]
    run dk exec "$name" true
    [ "$status" -eq 0 ]
}

@test "kill with a signal: name and number reach the process, default SIGKILL gives 137" {
    local name
    name=$(unique_name)
    drun -d --name "$name" "$DIMAGE" sh -c 'trap "exit 42" USR1; while :; do sleep 0.1; done'
    sleep 0.5
    dk kill -s USR1 "$name"
    run dk wait "$name"
    [ "$output" = 42 ]

    name=$(unique_name 2)
    drun -d --name "$name" "$DIMAGE" sh -c 'trap "exit 43" 12; while :; do sleep 0.1; done'
    sleep 0.5
    dk kill -s 12 "$name"
    run dk wait "$name"
    [ "$output" = 43 ]

    name=$(unique_name 3)
    drun -d --name "$name" "$DIMAGE" sleep 1000
    dk kill "$name"
    run dk wait "$name"
    [ "$output" = 137 ]
    run dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$name"
    [ "$output" = "exited 137" ]
}

@test "docker top lists the container's processes (runtime ps)" {
    requires_verb ps
    local name pid
    name=$(unique_name)
    drun -d --name "$name" "$DIMAGE" sh -c 'sleep 1000 & sleep 1001'
    pid=$(dk inspect -f '{{.State.Pid}}' "$name")
    wait_for "[ \$(dk top $name -o pid,args 2>/dev/null | tail -n +2 | wc -l) -ge 2 ]"
    run dk top "$name" -o pid,args
    [ "$status" -eq 0 ]
    [[ $output == *"$pid "*"sleep 1001"* ]]
    [[ $output == *"sleep 1000"* ]]
}

@test "restart runs the same container again (same id, new process)" {
    local name pid1 pid2
    name=$(unique_name)
    drun -d --name "$name" "$DIMAGE" sh -c 'echo run; exec sleep 1000'
    pid1=$(dk inspect -f '{{.State.Pid}}' "$name")
    run dk restart -t 1 "$name"
    [ "$status" -eq 0 ]
    pid2=$(dk inspect -f '{{.State.Pid}}' "$name")
    [ "$pid2" -gt 0 ]
    [ "$pid1" != "$pid2" ]
    [ ! -e "/proc/$pid1" ] || [ "$(awk '{print $3}' "/proc/$pid1/stat")" = Z ]
    run dk inspect -f '{{.State.Status}}' "$name"
    [ "$output" = running ]
    run dk logs "$name"
    [ "$(grep -c run <<< "$output")" -eq 2 ]
}

@test "--memory: the limit is the container's cgroup, docker update changes it" {
    requires_verb update
    local name id file
    name=$(unique_name)
    drun -d --name "$name" --memory 64m "$DIMAGE" sleep 1000
    id=$(dk inspect -f '{{.Id}}' "$name")
    file=/sys/fs/cgroup/memory$(cat "$DOCKER_DIR/cgroup-parent")/$id/memory.limit_in_bytes
    [ "$(cat "$file")" = 67108864 ]
    run dk update --memory 48m --memory-swap 48m "$name"
    [ "$status" -eq 0 ]
    [ "$(cat "$file")" = 50331648 ]
}

@test "rm -f of a running container: its processes, cgroups and runtime state are gone" {
    local name id pids pid c
    name=$(unique_name)
    drun -d --name "$name" "$DIMAGE" sh -c 'sleep 1000 & sleep 1001 & wait'
    id=$(dk inspect -f '{{.Id}}' "$name")
    local cg=/sys/fs/cgroup/pids$(cat "$DOCKER_DIR/cgroup-parent")/$id
    wait_for "[ \$(wc -l < $cg/cgroup.procs) -ge 3 ]"
    pids=$(cat "$cg/cgroup.procs")
    "$RUNTIME" --root "$(runtime_root)" state "$id" >/dev/null
    run dk rm -f "$name"
    [ "$status" -eq 0 ]
    for pid in $pids; do
        wait_for "[ ! -e /proc/$pid ] || [ \"\$(awk '{print \$3}' /proc/$pid/stat)\" = Z ]" 5
    done
    for c in /sys/fs/cgroup/*"$(cat "$DOCKER_DIR/cgroup-parent")"/"$id"; do
        [ ! -e "$c" ] || { echo "cgroup left: $c" >&2; false; }
    done
    run "$RUNTIME" --root "$(runtime_root)" state "$id"
    [ "$status" -ne 0 ]
    [ ! -e "$(runtime_root)/$id" ]
    run dk ps -aq --no-trunc
    [[ $output != *"$id"* ]]
}
