#!/usr/bin/env bats
# The isolation matrix (issue 19, part 2): two Tau apps converted from manifests run at the same time, A with the
# default permissions and B granted network (so it can listen on TCP), and app A tries every way to reach app B. Each attempt is one run of a static probe
# (probes/isolation_probe.c) inside A; each must be blocked. The bundles are plain OCI: RUNTIME=runc|crun run the same
# matrix; under taurun an attempt the seccomp filter catches stops A with an audit record naming the call instead.

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
    for app in a b; do
        mkdir -p "$W/manifest-$app"
        cat > "$W/manifest-$app/tau.toml" <<EOF
id = "org.tauos.isolation$app"
name = "Isolation $app"
version = "1.0.0"
command = ["/app/bin/isolation_probe", "serve", "/home/app"]
EOF
    done
    # B may listen on TCP: it is granted network (the host's). A asks for nothing.
    printf '[permissions]\nnetwork = true\n' >> "$W/manifest-b/tau.toml"
    "$TAURUN" convert --state-dir "$STATE" --rootfs "$W/rootfs" "$W/manifest-a/tau.toml" --bundle "$W/a" > /dev/null
    "$TAURUN" convert --state-dir "$STATE" --rootfs "$W/rootfs" "$W/manifest-b/tau.toml" --bundle "$W/b" --grant network > /dev/null
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
    for home in "$STATE"/apps/*/home; do
        mountpoint -q "$home" && umount "$home"
    done
    rm -rf "$W"
    return 0
}

is_taurun() {
    "$RUNTIME" --version 2>/dev/null | grep -q '^taurun'
}

# attempt NAME ARG: one run of the probe inside app A; passes when A reports the attempt blocked, or when the seccomp
# filter stopped A for it: under taurun the security monitor, with one audit line naming app A; under runc and crun
# the kernel, with SIGSYS.
attempt() {
    local name=$1 arg=$2 id="isolation-a-$$-$RANDOM"
    jq --arg n "$name" --arg a "$arg" '.process.args = ["/app/bin/isolation_probe", $n, $a]' "$W/a/config.json" \
        > "$W/a/config.json.new"
    mv "$W/a/config.json.new" "$W/a/config.json"
    local before=0
    [[ -f $TAURUN_AUDIT_LOG ]] && before=$(wc -l < "$TAURUN_AUDIT_LOG")
    run --separate-stderr "$RUNTIME" run --bundle "$W/a" "$id" < /dev/null
    "$RUNTIME" delete -f "$id" > /dev/null 2>&1 || true
    echo "$name: status $status, out: $output, err: $stderr"
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
