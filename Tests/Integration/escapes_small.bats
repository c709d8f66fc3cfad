#!/usr/bin/env bats
# Small container escapes (issue 13, item 9), each written as the attack: a sysctl that would land in the host's
# namespace, a symlink planted where the pid file's temporary goes, --preserve-fds naming fds that are not open (so
# taurun's own would take their numbers), and a state root or audit log directory that someone else controls.

load helpers

# Host values a failed test may have changed; test_cleanup (run by teardown) puts them back.
declare -gA HOST_SYSCTL=()
remember_sysctl() {
    HOST_SYSCTL[$1]=$(cat "/proc/sys/${1//.//}")
}

test_cleanup() {
    local key
    for key in "${!HOST_SYSCTL[@]}"; do
        if [[ $(cat "/proc/sys/${key//.//}") != "${HOST_SYSCTL[$key]}" ]]; then
            echo "restoring host $key (the runtime changed it)" >&2
            printf '%s' "${HOST_SYSCTL[$key]}" > "/proc/sys/${key//.//}"
        fi
    done
    if [[ -n ${NS_NAME:-} ]]; then
        ip netns delete "$NS_NAME" 2>/dev/null || true
    fi
    if [[ -n ${NS_BIND:-} ]]; then
        umount "$NS_BIND" 2>/dev/null || true
    fi
    # The root of a test that replaced it: put back a usable one so teardown's delete finds what was left.
    if [[ -n ${SAFE_STATE_ROOT:-} ]]; then
        STATE_ROOT=$SAFE_STATE_ROOT
    fi
}

# create must fail with one line on stderr that matches $1, leave nothing behind, and not have run the container.
assert_refused() {
    local pattern=$1
    if [ "$status" -eq 0 ]; then
        echo "accepted: exit 0; stderr: $stderr"
        return 1
    fi
    if [ "$status" -ge 124 ]; then
        echo "exit $status: a crash, a signal or a timeout, not a clean error; stderr: $stderr"
        return 1
    fi
    if ! grep -Eq -- "$pattern" <<< "$stderr"; then
        echo "stderr does not match /$pattern/: $stderr"
        return 1
    fi
    if is_taurun && [ "$(grep -c . <<< "$stderr")" -ne 1 ]; then
        echo "taurun: expected one line on stderr, got: $stderr"
        return 1
    fi
}

# --- sysctl in a namespace the container does not own

# Creates a container that sets $1 to $2, expecting a refusal that names the key; the host value must not change.
sysctl_attack() {
    local key=$1 value=$2
    cfg '.linux.sysctl = {($k): $v}' --arg k "$key" --arg v "$value"
    set_args true
    id=$(new_id)
    rt_files create --bundle "$BUNDLE" "$id"
    local after
    after=$(cat "/proc/sys/${key//.//}")
    [ "$after" = "${HOST_SYSCTL[$key]}" ] || { echo "host $key changed: ${HOST_SYSCTL[$key]} -> $after"; return 1; }
    assert_refused "${key//./\\.}"
    run ! rt state "$id"
    if [[ -n ${NS_BIND:-} ]]; then
        umount "$NS_BIND"
        NS_BIND=
    fi
    assert_no_leftovers "$id"
}

# Skips a check crun (Debian 12's 1.8) is known to fail: the attack works there; $1 says how.
skip_on_crun() {
    [[ $(runtime_name) == crun* ]] && skip "crun: $1"
    return 0
}

# Skips when this sandbox cannot open init's namespace files (pid 1 is not ours to inspect).
requires_proc1_ns() {
    readlink "/proc/1/ns/$1" > /dev/null 2>&1 || skip "/proc/1/ns/$1 is not accessible here"
}

@test "escape: net.* sysctl without a network namespace (the host's) is refused" {
    remember_sysctl net.ipv4.ip_forward
    drop_ns network
    sysctl_attack net.ipv4.ip_forward "$(( 1 - ${HOST_SYSCTL[net.ipv4.ip_forward]} ))"
}

@test "escape: net.* sysctl in a network namespace joined by path that is the host's (/proc/1/ns/net) is refused" {
    skip_on_crun "writes a net.* sysctl into a host network namespace joined by path (no inode check)"
    requires_proc1_ns net
    remember_sysctl net.ipv4.ip_forward
    add_ns network /proc/1/ns/net
    sysctl_attack net.ipv4.ip_forward "$(( 1 - ${HOST_SYSCTL[net.ipv4.ip_forward]} ))"
}

@test "escape: net.* sysctl in a network namespace joined by path that is the caller's (/proc/PID/ns/net) is refused" {
    skip_on_crun "writes a net.* sysctl into a host network namespace joined by path (no inode check)"
    remember_sysctl net.ipv4.ip_forward
    add_ns network "/proc/$$/ns/net"
    sysctl_attack net.ipv4.ip_forward "$(( 1 - ${HOST_SYSCTL[net.ipv4.ip_forward]} ))"
}

@test "escape: net.* sysctl in the host's network namespace under another name (a bind of it) is refused" {
    skip_on_crun "writes a net.* sysctl into a host network namespace joined by path (no inode check)"
    # The check is by (device, inode), not by path: a bind mount of the runtime's own netns file looks like any
    # `ip netns` name.
    remember_sysctl net.ipv4.conf.lo.forwarding
    NS_BIND="$BATS_TEST_TMPDIR/hostnet"
    touch "$NS_BIND"
    mount --bind /proc/self/ns/net "$NS_BIND"
    add_ns network "$NS_BIND"
    sysctl_attack net.ipv4.conf.lo.forwarding "$(( 1 - ${HOST_SYSCTL[net.ipv4.conf.lo.forwarding]} ))"
}

@test "escape: an ipc sysctl in the host's ipc namespace joined by path (/proc/PID/ns/ipc) is refused" {
    is_taurun || skip "$(runtime_name) checks only that an ipc namespace is listed, not whether it is the host's"
    remember_sysctl kernel.shm_rmid_forced
    add_ns ipc "/proc/$$/ns/ipc"
    sysctl_attack kernel.shm_rmid_forced "$(( 1 - ${HOST_SYSCTL[kernel.shm_rmid_forced]} ))"
}

@test "escape: kernel.domainname in the host's uts namespace joined by path (/proc/PID/ns/uts) is refused" {
    is_taurun || skip "$(runtime_name) checks only that a uts namespace is listed, not whether it is the host's"
    remember_sysctl kernel.domainname
    add_ns uts "/proc/$$/ns/uts"
    sysctl_attack kernel.domainname "escaped-$RANDOM"
}

@test "escape: a sysctl no namespace covers (kernel.core_pattern) is refused" {
    remember_sysctl kernel.core_pattern
    sysctl_attack kernel.core_pattern "|/tmp/escaped-$RANDOM"
}

@test "sysctl: a net.* sysctl in a network namespace joined by path that is not the host's is still set" {
    local nsname="taurun-esc-$$-$RANDOM"
    ip netns add "$nsname"
    NS_NAME=$nsname
    add_ns network "/run/netns/$nsname"
    cfg '.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
    set_args cat /proc/sys/net/ipv4/ip_forward
    id=$(new_id)
    rt_files run --bundle "$BUNDLE" "$id"
    ip netns delete "$nsname"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "$output" = 1 ]
}

# --- --pid-file through a planted symlink

@test "escape: symlinks planted at the pid file's temporary names do not make the runtime overwrite a victim" {
    skip_on_crun "writes --pid-file through a symlink planted at its path"
    local dir="$BATS_TEST_TMPDIR/pids" victim="$BATS_TEST_TMPDIR/victim"
    mkdir -p "$dir"
    echo "precious" > "$victim"
    # Every name a runtime might use for the temporary (taurun used <pid-file>.tmp.<its pid>; runc uses .<pid-file>), the
    # next pids included, all pointing at the victim; and the pid file itself.
    local name
    for name in pid.tmp .pid.tmp .pid pid~ pid.new pid.tmp.tmp; do
        ln -s "$victim" "$dir/$name"
    done
    # One process plants the links for the next pids (an `ln` per name would use those pids up itself).
    python3 -c '
import os, sys
victim, base = sys.argv[1], sys.argv[2]
last = int(open("/proc/sys/kernel/ns_last_pid").read())
for n in range(last + 1, last + 2001):
    os.symlink(victim, base + ".tmp." + str(n))
' "$victim" "$dir/pid"
    ln -s "$victim" "$dir/pid"
    set_args sleep 100
    id=$(new_id)
    rt_files create --pid-file "$dir/pid" --bundle "$BUNDLE" "$id"
    [ "$(cat "$victim")" = precious ] || { echo "victim overwritten: $(cat "$victim")"; return 1; }
    if [ "$status" -ne 0 ]; then
        # runc makes its temporary with O_EXCL under a fixed name: a planted one makes it fail, safely.
        is_taurun && { echo "taurun failed: $stderr"; return 1; }
        skip "$(runtime_name) refuses when its temporary name is taken: $stderr"
    fi
    [ ! -L "$dir/pid" ]
    [ "$(cat "$dir/pid")" = "$(rt state "$id" | jq -r .pid)" ]
    # No temporary of ours is left next to it.
    [ "$(find "$dir" -type f | wc -l)" -eq 1 ]
}

@test "escape: a symlink planted at the pid file's path is replaced, not written through" {
    skip_on_crun "writes --pid-file through a symlink planted at its path"
    local victim="$BATS_TEST_TMPDIR/victim"
    echo "precious" > "$victim"
    ln -s "$victim" "$BATS_TEST_TMPDIR/pid"
    set_args sleep 100
    id=$(new_id)
    rt_files create --pid-file "$BATS_TEST_TMPDIR/pid" --bundle "$BUNDLE" "$id"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "$(cat "$victim")" = precious ]
    [ ! -L "$BATS_TEST_TMPDIR/pid" ]
    [ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$(rt state "$id" | jq -r .pid)" ]
}

# --- --preserve-fds naming fds that are not open

@test "escape: create --preserve-fds 3 with fds 3-5 closed is refused and leaves nothing" {
    set_args sh -c 'ls /proc/self/fd'
    id=$(new_id)
    status=0
    timeout -k 5 60 "$RUNTIME" --root "$STATE_ROOT" create --preserve-fds 3 --bundle "$BUNDLE" "$id" \
        < /dev/null > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" 3>&- 4>&- 5>&- || status=$?
    stderr=$(cat "$BATS_TEST_TMPDIR/err")
    is_taurun || [ "$status" -ne 0 ] || skip "$(runtime_name) accepts --preserve-fds naming closed fds"
    assert_refused 'preserve-fds 3: fd 3 is not open'
    run ! rt state "$id"
    assert_no_leftovers "$id"
}

@test "create --preserve-fds 1 with fd 3 open hands it to the container" {
    echo "passed" > "$BATS_TEST_TMPDIR/extra"
    set_args sh -c 'cat <&3'
    id=$(new_id)
    "$RUNTIME" --root "$STATE_ROOT" create --preserve-fds 1 --bundle "$BUNDLE" "$id" \
        < /dev/null > /dev/null 2> "$BATS_TEST_TMPDIR/err" 3< "$BATS_TEST_TMPDIR/extra" || { cat "$BATS_TEST_TMPDIR/err"; return 1; }
    rt start "$id"
    wait_status "$id" stopped
}

# --- a state root or audit log directory someone else controls

@test "escape: a state root that is a symlink is refused" {
    is_taurun || skip "$(runtime_name) follows a symlinked --root"
    local real="$BATS_TEST_TMPDIR/realroot"
    mkdir -m 0700 "$real"
    SAFE_STATE_ROOT=$STATE_ROOT
    ln -s "$real" "$BATS_TEST_TMPDIR/linkroot"
    STATE_ROOT="$BATS_TEST_TMPDIR/linkroot"
    set_args true
    id=$(new_id)
    rt_files create --bundle "$BUNDLE" "$id"
    assert_refused 'state root .*linkroot.* is a symlink'
    [ -z "$(ls -A "$real")" ]
    rt_files list
    assert_refused 'is a symlink'
    rt_files state "$id"
    assert_refused 'is a symlink'
    rt_files delete --force "$id"
    assert_refused 'is a symlink'
}

@test "escape: a state root that another user owns and anyone can write (0777) is refused" {
    is_taurun || skip "$(runtime_name) uses any --root it is given"
    local root="$BATS_TEST_TMPDIR/sharedroot"
    mkdir "$root"
    chmod 0777 "$root"
    chown 65534:65534 "$root"
    SAFE_STATE_ROOT=$STATE_ROOT
    STATE_ROOT=$root
    # What the other user planted: a state dir whose record names a pid for kill/delete to signal.
    set_args true
    id=$(new_id)
    rt_files create --bundle "$BUNDLE" "$id"
    assert_refused 'state root .*sharedroot.* (belongs to uid 65534|writable)'
    [ -z "$(ls -A "$root")" ]
    # Owned by root but world-writable is refused too.
    chown 0:0 "$root"
    rt_files create --bundle "$BUNDLE" "$id"
    assert_refused 'writable by group or others'
    [ -z "$(ls -A "$root")" ]
}

@test "a state root that does not exist is created 0700" {
    SAFE_STATE_ROOT=$STATE_ROOT
    STATE_ROOT="$BATS_TEST_TMPDIR/newroot/sub"
    set_args true
    id=$(new_id)
    rt create --bundle "$BUNDLE" "$id"
    [ "$(stat -c %a "$STATE_ROOT")" = 700 ]
    rt delete --force "$id"
}

@test "escape: an audit log in a directory anyone can write is not written, and reading it is refused" {
    is_taurun || skip "the audit log is taurun's"
    local dir="$BATS_TEST_TMPDIR/sharedlog" victim="$BATS_TEST_TMPDIR/victim"
    mkdir "$dir"
    chmod 0777 "$dir"
    chown 65534:65534 "$dir"
    echo "precious" > "$victim"
    # The other user plants the log's names as symlinks to the victim.
    ln -s "$victim" "$dir/audit.jsonl"
    ln -s "$victim" "$dir/audit.jsonl.lock"
    export TAURUN_AUDIT_LOG="$dir/audit.jsonl"
    set_args true
    id=$(new_id)
    rt_files create --bundle "$BUNDLE" "$id"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    grep -q 'audit log: directory .*sharedlog.* refusing' <<< "$stderr"
    [ "$(cat "$victim")" = precious ]
    rt_files audit
    assert_refused 'audit log: directory .*sharedlog.*(belongs to uid 65534|writable)'
    rt delete --force "$id" 2>/dev/null
    [ "$(cat "$victim")" = precious ]
}

@test "escape: an audit log directory that is a symlink is refused" {
    is_taurun || skip "the audit log is taurun's"
    mkdir -m 0750 "$BATS_TEST_TMPDIR/reallog"
    ln -s "$BATS_TEST_TMPDIR/reallog" "$BATS_TEST_TMPDIR/linklog"
    export TAURUN_AUDIT_LOG="$BATS_TEST_TMPDIR/linklog/audit.jsonl"
    set_args true
    id=$(new_id)
    rt_files create --bundle "$BUNDLE" "$id"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    grep -q 'audit log: directory .*linklog is a symlink' <<< "$stderr"
    [ -z "$(ls -A "$BATS_TEST_TMPDIR/reallog")" ]
    rt delete --force "$id" 2>/dev/null
}
