#!/usr/bin/env bats
# The isolation matrix (issue 19, part 2): two Tau apps converted from manifests run at the same time, A with the
# default permissions and B granted network (so it can listen on TCP), and app A tries every way to reach app B. Each attempt is one run of a static probe
# (probes/isolation_probe.c) inside A; each must be blocked. The bundles are plain OCI: RUNTIME=runc|crun run the same
# matrix; under taurun an attempt the seccomp filter catches stops A with an audit record naming the call instead.
# Then the same with app N, granted network: its own network namespace with a user-mode route out (slirp4netns, started
# by the bundle's createRuntime hook) reaches a server on a host address but none of B's or the host's abstract UNIX
# sockets and loopback ports.

bats_require_minimum_version 1.5.0

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
RUNTIME=${RUNTIME:-$REPO_ROOT/.build/release/taurun}
TAURUN=${TAURUN:-$REPO_ROOT/.build/release/taurun}

setup_file() {
    [[ $(id -u) == 0 ]] || skip "the isolation matrix needs root"
    command -v cc > /dev/null || skip "no C compiler to build the probe"
    if [[ -d /sys/fs/cgroup && ! -e /sys/fs/cgroup/cgroup.controllers ]] && ! mountpoint -q /sys/fs/cgroup/hugetlb; then
        mkdir -p /sys/fs/cgroup/hugetlb && mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb || true
    fi
    # Not under $BATS_FILE_TMPDIR (0700): the apps' unprivileged host uids must traverse every parent directory.
    W=$(mktemp -d /tmp/tau-isolation.XXXXXX)
    export W STATE="$W/state" TAURUN_AUDIT_LOG="$W/audit.jsonl"
    chmod 755 "$W"
    mkdir -p "$W/rootfs"
    cp -a "$REPO_ROOT/build/rootfs/." "$W/rootfs/"
    mkdir -p "$W/rootfs/app/bin"
    cc -static -O2 -o "$W/rootfs/app/bin/isolation_probe" "$BATS_TEST_DIRNAME/probes/isolation_probe.c" \
        || skip "cannot build a static probe here"
    local app
    for app in a b n; do
        mkdir -p "$W/manifest-$app"
        cat > "$W/manifest-$app/tau.toml" <<EOF
id = "org.tauos.isolation$app"
name = "Isolation $app"
version = "1.0.0"
command = ["/app/bin/isolation_probe", "serve", "/home/app"]
EOF
    done
    # B may listen on TCP: it is granted network. A asks for nothing. N is A granted network.
    "$TAURUN" convert --state-dir "$STATE" --rootfs "$W/rootfs" "$W/manifest-a/tau.toml" --bundle "$W/a" > /dev/null
    if [[ -x /usr/bin/slirp4netns || -x /usr/local/bin/slirp4netns || -x /bin/slirp4netns ]]; then
        printf '[permissions]\nnetwork = true\n' | tee -a "$W/manifest-b/tau.toml" >> "$W/manifest-n/tau.toml"
        "$TAURUN" convert --state-dir "$STATE" --rootfs "$W/rootfs" "$W/manifest-b/tau.toml" --bundle "$W/b" --grant network > /dev/null
        "$TAURUN" convert --state-dir "$STATE" --rootfs "$W/rootfs" "$W/manifest-n/tau.toml" --bundle "$W/n" --grant network > /dev/null
    else
        # No route without slirp4netns, so no network grant: B only needs to listen on its own loopback, which a
        # seccomp filter that allows every socket() lets it (N's tests skip).
        "$TAURUN" convert --state-dir "$STATE" --rootfs "$W/rootfs" "$W/manifest-b/tau.toml" --bundle "$W/b" > /dev/null
        jq '.linux.seccomp.syscalls |= map(if (.names | index("socket")) then del(.args) else . end)' "$W/b/config.json" > "$W/b/config.json.new"
        mv "$W/b/config.json.new" "$W/b/config.json"
    fi
    export B_HOME="$STATE/apps/org.tauos.isolationb/home" B_ID="isolation-b-$$"
    "$RUNTIME" run --detach --bundle "$W/b" "$B_ID" < /dev/null > "$W/b.out" 2>&1
    local tries=100
    while [[ ! -e $B_HOME/ready ]] && (( tries-- > 0 )); do sleep 0.05; done
    [[ -e $B_HOME/ready ]] || { cat "$W/b.out" >&2; echo "app B did not come up" >&2; return 1; }
    export B_PID
    B_PID=$("$RUNTIME" state "$B_ID" | jq -r .pid)
}

teardown_file() {
    [[ -n ${W:-} ]] || return 0
    "$RUNTIME" delete --force "$B_ID" > /dev/null 2>&1 || true
    [[ -f $W/host-server.pid ]] && kill "$(cat "$W/host-server.pid")" 2> /dev/null
    ip link del tau-iso0 2> /dev/null
    for home in "$STATE"/apps/*/home; do
        mountpoint -q "$home" && umount "$home"
    done
    rm -rf "$W"
    return 0
}

is_taurun() {
    "$RUNTIME" --version 2>/dev/null | grep -q '^taurun'
}

# probe APP NAME ARG: one run of the probe inside app APP (a or n); $status, $output, $stderr as bats' run.
probe() {
    local app=$1 name=$2 arg=$3 id="isolation-$1-$$-$RANDOM"
    jq --arg n "$name" --arg a "$arg" '.process.args = ["/app/bin/isolation_probe", $n, $a]' "$W/$app/config.json" \
        > "$W/$app/config.json.new"
    mv "$W/$app/config.json.new" "$W/$app/config.json"
    run --separate-stderr "$RUNTIME" run --bundle "$W/$app" "$id" < /dev/null
    "$RUNTIME" delete -f "$id" > /dev/null 2>&1 || true
    echo "$app $name $arg: status $status, out: $output, err: $stderr"
}

# attempt NAME ARG: one run of the probe inside app A; passes when A reports the attempt blocked, or when the seccomp
# filter stopped A for it: under taurun the security monitor, with one audit line naming app A; under runc and crun
# the kernel, with SIGSYS.
attempt() {
    local name=$1 arg=$2
    local before=0
    [[ -f $TAURUN_AUDIT_LOG ]] && before=$(wc -l < "$TAURUN_AUDIT_LOG")
    probe a "$name" "$arg"
    [[ $output != *REACHED* ]] || return 1
    [[ $output == "$name: blocked"* ]] && return 0
    # runc and crun: the bundle's seccomp filter kills the call's process (SIGSYS, 128+31), with no word of why.
    is_taurun || { [ "$status" -eq 159 ]; return; }
    # Stopped by the monitor: a violation record of app A, written by this run.
    [ "$status" -ne 0 ]
    tail -n +"$((before + 1))" "$TAURUN_AUDIT_LOG" | grep '"event":"violation"' | grep -q 'org.tauos.isolationa'
}

@test "isolation: A cannot read, write or list B's home" {
    [ -e "$B_HOME/secret" ]
    attempt read-home "$B_HOME"
    attempt write-home "$B_HOME"
    attempt list-home "$B_HOME"
    [ ! -e "$B_HOME/planted" ]
}

@test "isolation: A cannot see, signal or ptrace B's processes, nor read B's /proc entries" {
    attempt see-process "$B_PID"
    attempt signal "$B_PID"
    attempt ptrace "$B_PID"
    attempt proc-environ "$B_PID"
    # B is still there, untouched.
    [ "$("$RUNTIME" state "$B_ID" | jq -r .status)" = running ]
}

@test "isolation: A cannot connect to B's UNIX sockets (path and abstract) nor B's loopback TCP port" {
    [ -S "$B_HOME/sock" ]
    attempt unix-path "$B_HOME"
    attempt unix-abstract -
    attempt tcp-loopback -
}

@test "isolation: A cannot reach B's IPC (SysV shared memory, POSIX message queues)" {
    attempt sysv-shm -
    attempt posix-mqueue -
}

@test "isolation: A cannot change B's cgroup limits" {
    local memory
    memory=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 } $1 == "0" && $2 == "" { v2 = $3 } END { if (v2 != "") print v2 }' \
        "/proc/$B_PID/cgroup" | head -n 1)
    [[ -n $memory ]] || skip "B has no memory cgroup here"
    attempt cgroup-limit "$memory"
}

@test "isolation: A's id range is its own: B's host ids are not A's, and A sees only its own map" {
    local a_base b_base
    a_base=$(jq -r '.annotations["org.tauos.app.host_id_base"]' "$W/a/config.json")
    b_base=$(jq -r '.annotations["org.tauos.app.host_id_base"]' "$W/b/config.json")
    [ "$a_base" != "$b_base" ]
    (( a_base + 65536 <= b_base || b_base + 65536 <= a_base ))
    # B's files belong to B's range on the host: A's uids (mapped from A's range) are "other" to them.
    [ "$(stat -c %u "$B_HOME/secret")" -ge "$b_base" ]
    [ "$(stat -c %u "$B_HOME/secret")" -lt "$((b_base + 65536))" ]
}

# The host side of the network tests: an interface of the host's (a veth pair: no dummy module is needed) with a host
# address that is not loopback (the machine may have no other), and one server (python3) answering "hello" on the abstract socket @tau-isolation-host, on
# 127.0.0.1:47012 and on that address, port 47012.
HOST_ADDR=198.18.47.1
start_host_server() {
    [[ -f $W/n/config.json ]] || skip "slirp4netns is not installed (Debian package slirp4netns): network-granted apps cannot be converted"
    [[ -f $W/host-server.ready ]] && return 0
    command -v python3 > /dev/null || skip "no python3 for the host-side server"
    if ! ip -4 addr show dev tau-iso0 2> /dev/null | grep -q "$HOST_ADDR"; then
        ip link add tau-iso0 type veth peer name tau-iso1 2> /dev/null || skip "cannot add a veth pair for a host address"
        ip addr add "$HOST_ADDR/32" dev tau-iso0
        ip link set tau-iso1 up
        ip link set tau-iso0 up
    fi
    python3 - "$HOST_ADDR" "$W/host-server.ready" > "$W/host-server.log" 2>&1 3>&- <<'PY' &
import select, socket, sys
listeners = []
for family, address in ((socket.AF_UNIX, "\0tau-isolation-host"), (socket.AF_INET, ("127.0.0.1", 47012)), (socket.AF_INET, (sys.argv[1], 47012))):
    s = socket.socket(family, socket.SOCK_STREAM)
    if family == socket.AF_INET:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(address)
    s.listen(16)
    listeners.append(s)
open(sys.argv[2], "w").close()
while True:
    ready, _, _ = select.select(listeners, [], [])
    for s in ready:
        c, _ = s.accept()
        c.sendall(b"hello\n")
        c.close()
PY
    echo $! > "$W/host-server.pid"
    local tries=100
    while [[ ! -e $W/host-server.ready ]] && (( tries-- > 0 )); do sleep 0.05; done
    [[ -e $W/host-server.ready ]] || { cat "$W/host-server.log" >&2; return 1; }
}

# blocked_from_n NAME ARG: the attempt runs (N may make any socket) and is refused.
blocked_from_n() {
    probe n "$1" "$2"
    [ "$status" -eq 0 ]
    [[ $output == "$1: blocked"* ]]
}

@test "isolation: with network, N reaches a host-side server through its route, and nothing else of the host or B" {
    start_host_server
    # The host side really answers on each (the matrix measures the sandbox, not the server).
    [[ $(/usr/bin/env python3 -c 'import socket; s = socket.socket(socket.AF_UNIX); s.connect("\0tau-isolation-host"); print(s.recv(9).decode().strip())') == hello ]]
    # The route: a server on a host address answers.
    probe n tcp-connect "$HOST_ADDR:47012"
    [ "$status" -eq 0 ]
    [[ $output == "tcp-connect: REACHED" ]]
    # Abstract UNIX sockets: B's and the host's live in other network namespaces.
    blocked_from_n unix-abstract -
    blocked_from_n unix-abstract tau-isolation-host
    # Loopback: B's port and the host's, on 127.0.0.1 (N's own lo) and through the route's host alias 10.0.2.2
    # (slirp4netns --disable-host-loopback).
    blocked_from_n tcp-loopback -
    blocked_from_n tcp-loopback 47012
    blocked_from_n tcp-connect 10.0.2.2:47012
    blocked_from_n tcp-connect 10.0.2.2:47011
}

@test "isolation: N's route ends with N, also when the runtime is SIGKILLed" {
    start_host_server
    jq '.process.args = ["/bin/sleep", "30"]' "$W/n/config.json" > "$W/n/config.json.new"
    mv "$W/n/config.json.new" "$W/n/config.json"
    local id="isolation-n-kill-$$" pid tries
    "$RUNTIME" run --detach --bundle "$W/n" "$id" < /dev/null > /dev/null 2>&1
    pid=$("$RUNTIME" state "$id" | jq -r .pid)
    # One slirp4netns serves N's network namespace while N runs.
    [ "$(pgrep -fc "slirp4netns .*/proc/$pid/ns/net")" -eq 1 ]
    "$RUNTIME" delete -f "$id"
    tries=40
    while pgrep -f "slirp4netns .*/proc/$pid/ns/net" > /dev/null && (( tries-- > 0 )); do sleep 0.05; done
    ! pgrep -fa "slirp4netns .*/proc/$pid/ns/net"

    # A foreground run killed with SIGKILL: the app's route goes with the app, whatever becomes of the runtime.
    id="isolation-n-kill2-$$"
    "$RUNTIME" run --bundle "$W/n" "$id" < /dev/null > /dev/null 2>&1 3>&- &
    local runner=$!
    # Generous waits: on a loaded machine the run's create alone can take seconds.
    tries=400
    pid=""
    while [[ -z $pid || $pid == null ]] && (( tries-- > 0 )); do
        sleep 0.05
        pid=$("$RUNTIME" state "$id" 2> /dev/null | jq -r .pid 2> /dev/null) || true
    done
    echo "init pid: $pid"
    tries=400
    while ! pgrep -f "slirp4netns .*/proc/$pid/ns/net" > /dev/null && (( tries-- > 0 )); do sleep 0.05; done
    pgrep -f "slirp4netns .*/proc/$pid/ns/net" > /dev/null
    kill -9 "$runner"
    wait "$runner" 2> /dev/null || true
    "$RUNTIME" delete -f "$id" > /dev/null 2>&1 || true
    tries=40
    while pgrep -f "slirp4netns .*/proc/$pid/ns/net" > /dev/null && (( tries-- > 0 )); do sleep 0.05; done
    ! pgrep -fa "slirp4netns .*/proc/$pid/ns/net"
    ! kill -0 "$pid" 2> /dev/null
}
