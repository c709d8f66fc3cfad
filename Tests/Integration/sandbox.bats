#!/usr/bin/env bats
# Tau sandbox enforcement probes: the example apps in bundles/ are converted by `taurun convert` and run under
# $RUNTIME (runc, crun or taurun: the bundle is the same), with a probe script inside proving each permission both
# ways. Needs root. RUNTIME=runc|crun|path (default: the release taurun); TAURUN = the taurun used for convert.
#
# Only process.args of a converted config.json is replaced by the probe; everything else is what convert wrote.

bats_require_minimum_version 1.5.0

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
RUNTIME=${RUNTIME:-$REPO_ROOT/.build/release/taurun}
TAURUN=${TAURUN:-$REPO_ROOT/.build/release/taurun}

setup_file() {
    [[ $(id -u) == 0 ]] || skip "sandbox probes need root"
    # crun on a cgroup v1 hybrid host wants the hugetlb controller mounted.
    if [[ -d /sys/fs/cgroup && ! -e /sys/fs/cgroup/cgroup.controllers ]] && ! mountpoint -q /sys/fs/cgroup/hugetlb; then
        mkdir -p /sys/fs/cgroup/hugetlb && mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb || true
    fi
    # Not under $BATS_FILE_TMPDIR: bats makes that 0700, and the app's unprivileged host uid must traverse every
    # parent of the bundle, rootfs, home and data paths (convert refuses otherwise).
    W=$(mktemp -d /tmp/tau-sandbox.XXXXXX)
    export W STATE="$W/state"
    chmod 755 "$W"
    # taurun's audit records of these runs go here, not to /var/log/taurun.
    export TAURUN_AUDIT_LOG="$W/audit.jsonl"

    export ROOTFS=${ROOTFS:-$REPO_ROOT/build/rootfs}
    if [[ ! -x $ROOTFS/bin/busybox ]]; then
        ROOTFS="$W/rootfs"
        mkdir -p "$ROOTFS/bin" "$ROOTFS/etc"
        cp /bin/busybox "$ROOTFS/bin/"
        for applet in $("$ROOTFS/bin/busybox" --list); do
            [[ $applet == busybox ]] || ln -s busybox "$ROOTFS/bin/$applet"
        done
        printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n' > "$ROOTFS/etc/passwd"
        printf 'root:x:0:\napp:x:1000:\nvideo:x:44:\n' > "$ROOTFS/etc/group"
    fi

    # A fake camera: a real char device number (81:0, V4L) with no driver behind it, group video, 0660.
    export DEVROOT="$W/dev"
    mkdir -p "$DEVROOT"
    mknod "$DEVROOT/video0" c 81 0
    chgrp 44 "$DEVROOT/video0"
    chmod 660 "$DEVROOT/video0"

    export MEDIA_DATA="$W/media" NOTES_DATA="$W/notes"
    mkdir -p "$MEDIA_DATA" "$NOTES_DATA"
    echo song > "$MEDIA_DATA/track.ogg"

    local convert=("$TAURUN" convert --state-dir "$STATE" --rootfs "$ROOTFS" --device-root "$DEVROOT")
    "${convert[@]}" "$REPO_ROOT/bundles/hello/tau.toml" --bundle "$W/hello"
    "${convert[@]}" "$REPO_ROOT/bundles/media/manifest.tau" --bundle "$W/media-granted" --data "$MEDIA_DATA" --yes
    "$TAURUN" revoke --state-dir "$STATE" org.tauos.media network camera microphone
    "${convert[@]}" "$REPO_ROOT/bundles/media/manifest.tau" --bundle "$W/media-denied" --data "$MEDIA_DATA"
    "${convert[@]}" "$REPO_ROOT/bundles/notes/tau-app.json" --bundle "$W/notes" --data "$NOTES_DATA" --grant filesystem:rw
    # rw mounts keep host ownership: the user hands the directory to the app's host uid (convert warns until then).
    local notes_uid=$(( $(jq -r '.annotations["org.tauos.app.host_id_base"]' "$W/notes/config.json") + 1000 ))
    chown "$notes_uid:$notes_uid" "$NOTES_DATA"
}

teardown_file() {
    ip link del tau-sbx0 2> /dev/null || true
    [[ -n ${STATE:-} ]] || return 0
    for home in "$STATE"/apps/*/home; do
        mountpoint -q "$home" && umount "$home"
    done
    rm -rf "$W"
    return 0
}

# What a test planted outside $W (listed in $W/planted-outside, parents first) goes after it, children first.
teardown() {
    [[ -f ${W:-}/planted-outside ]] || return 0
    local path
    while read -r path; do
        if [[ -d $path ]]; then rmdir "$path" 2> /dev/null || true; else rm -f "$path"; fi
    done < <(tac "$W/planted-outside")
    rm -f "$W/planted-outside"
}

# probe BUNDLE SCRIPT: runs SCRIPT with /bin/sh inside a copy of BUNDLE's config (only process.args changed).
probe() {
    local bundle=$1 script=$2 id="tau-probe-$$-$RANDOM"
    jq --arg s "$script" '.process.args = ["/bin/sh", "-c", $s]' "$W/$bundle/config.json" > "$W/$bundle/config.json.new"
    mv "$W/$bundle/config.json.new" "$W/$bundle/config.json"
    run --separate-stderr "$RUNTIME" run --bundle "$W/$bundle" "$id"
    "$RUNTIME" delete -f "$id" >/dev/null 2>&1 || true
}

is_taurun() {
    "$RUNTIME" --version 2>/dev/null | grep -q '^taurun'
}

host_base() {
    jq -r '.annotations["org.tauos.app.host_id_base"]' "$W/$1/config.json"
}

@test "uid 1000 inside, mapped to a distinct unprivileged host range per app" {
    probe hello 'id -u; id -g; cat /proc/self/uid_map'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 1000 ]
    [ "${lines[1]}" = 1000 ]
    read -r inside host size <<< "${lines[2]}"
    [ "$inside" = 0 ]
    [ "$size" = 65536 ]
    [ "$host" -ge 200000 ]
    hello=$(host_base hello) media=$(host_base media-granted) notes=$(host_base notes)
    [ "$host" = "$hello" ]
    [ "$hello" != "$media" ]
    [ "$hello" != "$notes" ]
    [ "$media" != "$notes" ]
    # A file the app creates belongs to its host uid (base + 1000) on the host.
    probe hello 'echo x > "$HOME/owner-probe"'
    [ "$status" -eq 0 ]
    [ "$(stat -c %u "$STATE/apps/org.tauos.hello/home/owner-probe")" = $((hello + 1000)) ]
}

@test "home: 0700 at /home/app, HOME and TMPDIR set, TMPDIR writable" {
    probe hello 'stat -c "%a %u" "$HOME"; echo "$HOME $TMPDIR"; echo t > "$TMPDIR/t" && echo tmp-ok'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "700 1000" ]
    [ "${lines[1]}" = "/home/app /home/app/tmp" ]
    [ "${lines[2]}" = tmp-ok ]
    [ "$(stat -c %a "$STATE/apps/org.tauos.hello/home")" = 700 ]
}

@test "another app's home is invisible: not mounted inside, and closed on the host" {
    probe hello "ls '$STATE/apps' 2>&1; ls /home"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == *"No such file or directory"* ]]
    [ "${lines[1]}" = app ]
    hello_uid=$(( $(host_base hello) + 1000 ))
    run setpriv --reuid="$hello_uid" --regid="$hello_uid" --clear-groups ls "$STATE/apps/org.tauos.notes/home"
    [ "$status" -ne 0 ]
    [[ "$output" == *"Permission denied"* ]]
}

@test "network denied: only lo, and an IP socket is a violation (terminate)" {
    probe media-denied 'cut -d: -f1 /proc/net/dev | tail -n +3 | tr -d " "; nc -w 1 127.0.0.1 9 </dev/null; echo "nc=$?"'
    [ "${lines[0]}" = lo ]
    if is_taurun; then
        # taurun's monitor ends the whole app and says why.
        [ "$status" -eq 137 ]
        [ "${#lines[@]}" -eq 1 ]
        [[ "$stderr" == *'org.tauos.media terminated: socket(AF_INET, SOCK_STREAM) needs permission "network", which is not granted'* ]]
    else
        # runc and crun apply the bundle's KILL_PROCESS: nc dies of SIGSYS (128 + 31).
        [ "$status" -eq 0 ]
        [ "${lines[1]}" = "nc=159" ]
    fi
}

@test "network granted: its own namespace with the route's tap0, and connect() to a listener on a host address works" {
    command -v slirp4netns > /dev/null || skip "slirp4netns is not installed (Debian package slirp4netns)"
    # A host address that is not loopback, on a veth pair of the test's own (the machine may have no other).
    ip link del tau-sbx0 2> /dev/null || true
    ip link add tau-sbx0 type veth peer name tau-sbx1 2> /dev/null || skip "cannot add a veth pair for a host address"
    ip addr add 198.18.48.1/32 dev tau-sbx0
    ip link set tau-sbx1 up
    ip link set tau-sbx0 up
    port=$(( 20000 + RANDOM % 20000 ))
    # The listener says when it listens: on a loaded machine python's start-up alone can outlast a fixed sleep.
    rm -f "$W/listening"
    python3 -c "
import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('198.18.48.1', $port)); s.listen(1); s.settimeout(20)
open('$W/listening', 'w').close()
c,_=s.accept(); c.sendall(b'pong\n'); c.close()" &
    listener=$!
    for _ in $(seq 100); do [[ -e $W/listening ]] && break; sleep 0.1; done
    [[ -e $W/listening ]]
    probe media-granted "cut -d: -f1 /proc/net/dev | tail -n +3 | tr -d ' ' | grep -vx lo | head -n 1; nc -w 3 198.18.48.1 $port </dev/null; readlink /proc/self/ns/net"
    wait "$listener" || true
    ip link del tau-sbx0
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = tap0 ]
    [ "${lines[1]}" = pong ]
    [ "${lines[2]}" != "$(readlink /proc/self/ns/net)" ]
}

@test "camera denied: no /dev/video*" {
    probe media-denied 'ls /dev/video* 2>&1; echo end'
    [[ "$output" == *"No such file or directory"* ]]
    probe hello 'ls /dev'
    [[ "$output" != *video* ]]
}

@test "camera granted: /dev/video0 present, group-accessible, allowed by the device cgroup" {
    probe media-granted 'ls -l /dev/video0; cat /dev/video0; echo end'
    [[ "${lines[0]}" == c* ]]
    [[ "${lines[0]}" == *"81,"* ]]
    # No driver behind 81:0: open reaches the kernel (ENXIO), i.e. neither the cgroup (EPERM) nor the mode (EACCES) stopped it.
    [[ "$stderr" == *"No such device or address"* ]]
}

@test "filesystem ro: data readable, writes fail with EROFS" {
    probe media-granted 'cat "$TAU_DATA/track.ogg"; echo x > "$TAU_DATA/new" ; echo "rc=$?"'
    [ "${lines[0]}" = song ]
    [ "${lines[1]}" = "rc=1" ]
    [[ "$stderr" == *"Read-only file system"* ]]
}

@test "filesystem rw: writes reach the host directory" {
    probe notes 'echo written > "$TAU_DATA/from-app" && echo ok'
    [ "$status" -eq 0 ]
    [ "$(cat "$NOTES_DATA/from-app")" = written ]
}

@test "filesystem not requested: no data path, no TAU_DATA" {
    probe hello "echo \"[\${TAU_DATA:-}]\"; ls '$MEDIA_DATA' 2>&1"
    [ "${lines[0]}" = "[]" ]
    [[ "${lines[1]}" == *"No such file or directory"* ]]
}

@test "rootfs read-only: EROFS" {
    probe hello 'touch /bin/x; echo "rc=$?"'
    [ "${lines[0]}" = "rc=1" ]
    [[ "$stderr" == *"Read-only file system"* ]]
}

@test "disk quota: writing past resources.disk fails with ENOSPC, and the home keeps its data across runs" {
    probe notes 'echo keep > "$HOME/keep"; dd if=/dev/zero of="$HOME/big" bs=1M count=200 2>&1; echo "dd=$?"; rm -f "$HOME/big"'
    [[ "$output" == *"No space left on device"* ]]
    [[ "$output" == *"dd=1"* ]]
    probe notes 'cat "$HOME/keep"'
    [ "$status" -eq 0 ]
    [ "$output" = keep ]
}

@test "no capabilities, no_new_privs" {
    probe hello 'grep -E "^(CapEff|CapPrm|CapBnd|NoNewPrivs)" /proc/self/status | tr -s "\t " " "'
    [ "$status" -eq 0 ]
    [[ "$output" == *"CapEff: 0000000000000000"* ]]
    [[ "$output" == *"CapBnd: 0000000000000000"* ]]
    [[ "$output" == *"NoNewPrivs: 1"* ]]
}

@test "seccomp: unshare is outside the allowlist; on_violation=terminate kills, on_violation=deny returns EPERM" {
    probe hello 'unshare -r true; echo "shell rc=$?"'
    if is_taurun; then
        [ "$status" -eq 137 ]
        [[ "$output" != *"shell rc="* ]]
        [[ "$stderr" == *"org.tauos.hello terminated: unshare(CLONE_NEWUSER) is not allowed: apps cannot create namespaces"* ]]
    else
        # The shell forks unshare(1); the child making the forbidden call dies of SIGSYS (128 + 31).
        [[ "$output" == *"shell rc=159"* ]]
    fi
    probe notes 'unshare -r true; echo "shell rc=$?"'
    [ "$status" -eq 0 ]
    [[ "$output" == *"shell rc=1"* ]]
    [[ "$stderr" == *"Operation not permitted"* ]]
}

@test "on_violation=deny: an IP socket without network fails with EPERM and the app goes on" {
    probe notes 'nc -w 1 127.0.0.1 9 </dev/null; echo "nc=$?"; echo still-here'
    [ "$status" -eq 0 ]
    [ "${lines[-2]}" = "nc=1" ]
    [ "${lines[-1]}" = still-here ]
    [[ "$stderr" == *"Operation not permitted"* ]]
}

@test "audit: a terminated app leaves one violation record and taurun audit prints its line" {
    is_taurun || skip "the security monitor and audit log are taurun's"
    : > "$TAURUN_AUDIT_LOG"
    probe media-denied 'nc -w 1 10.0.0.1 80 </dev/null; nc -w 1 10.0.0.1 80 </dev/null'
    [ "$status" -eq 137 ]
    run jq -c 'select(.event == "violation")' "$TAURUN_AUDIT_LOG"
    [ "${#lines[@]}" -eq 1 ]
    record=${lines[0]}
    [ "$(jq -r .app <<< "$record")" = org.tauos.media ]
    [ "$(jq -r .permission <<< "$record")" = network ]
    [ "$(jq -r .syscall <<< "$record")" = socket ]
    [ "$(jq -r .action <<< "$record")" = terminated ]
    [ "$(jq -r '.args[0]' <<< "$record")" = 2 ]
    [[ "$(jq -r .container <<< "$record")" == tau-probe-* ]]
    # The lifecycle around it: create, start, delete of the same container.
    container=$(jq -r .container <<< "$record")
    run jq -r --arg c "$container" 'select(.container == $c) | .event' "$TAURUN_AUDIT_LOG"
    [[ "$output" == *create* && "$output" == *start* && "$output" == *violation* && "$output" == *delete* ]]
    run "$RUNTIME" audit --app org.tauos.media
    [ "$status" -eq 0 ]
    [[ "$output" == *'org.tauos.media terminated: socket(AF_INET, SOCK_STREAM) needs permission "network", which is not granted'* ]]
}

@test "audit: a denied call is recorded as denied; a granted network makes no record" {
    is_taurun || skip "the security monitor and audit log are taurun's"
    : > "$TAURUN_AUDIT_LOG"
    probe notes 'nc -w 1 127.0.0.1 9 </dev/null; true'
    [ "$status" -eq 0 ]
    run jq -r 'select(.event == "violation") | .action + " " + .permission' "$TAURUN_AUDIT_LOG"
    [ "$output" = "denied network" ]
    : > "$TAURUN_AUDIT_LOG"
    probe media-granted 'nc -w 1 127.0.0.1 9 </dev/null; true'
    run jq -r 'select(.event == "violation")' "$TAURUN_AUDIT_LOG"
    [ -z "$output" ]
}

@test "the security monitor exits with the container, also when create returned first (Podman's flow)" {
    is_taurun || skip "the security monitor is taurun's"
    local id="tau-monitor-$$"
    jq '.process.args = ["/bin/sleep", "30"]' "$W/media-denied/config.json" > "$W/media-denied/config.json.new"
    mv "$W/media-denied/config.json.new" "$W/media-denied/config.json"
    "$RUNTIME" create --bundle "$W/media-denied" "$id"
    monitor=$(jq -r .monitorPid "/run/taurun/$id/state.json")
    [ "$monitor" -gt 0 ]
    [ "$(cat /proc/$monitor/comm)" = taurun-monitor ]
    # Not in the container's cgroup: it must not count against the app's pids or memory.
    ! grep -qx "$monitor" <("$RUNTIME" ps --format json "$id" | jq -r '.[]')
    "$RUNTIME" start "$id"
    "$RUNTIME" kill "$id" KILL
    for _ in $(seq 50); do
        state=$(awk '{print $3}' "/proc/$monitor/stat" 2>/dev/null || echo gone)
        [[ $state == gone || $state == Z ]] && break
        sleep 0.1
    done
    [[ $state == gone || $state == Z ]]
    "$RUNTIME" delete "$id"
}

@test "require_lsm: an app that requires AppArmor does not start where the kernel lacks it" {
    is_taurun || skip "require_lsm is read by taurun (runc and crun ignore the annotation)"
    grep -qs '^Y' /sys/module/apparmor/parameters/enabled && skip "AppArmor is enabled here"
    mkdir -p "$W/strict-src"
    cat > "$W/strict-src/tau-app.json" <<JSON
{"id": "org.tauos.strict", "command": ["/bin/true"], "rootfs": "$ROOTFS", "require_lsm": true}
JSON
    "$TAURUN" convert --state-dir "$STATE" "$W/strict-src/tau-app.json" --bundle "$W/strict"
    [ "$(jq -r '.annotations["org.tauos.app.require_lsm"]' "$W/strict/config.json")" = true ]
    run --separate-stderr "$RUNTIME" run --bundle "$W/strict" "tau-strict-$$"
    [ "$status" -eq 1 ]
    [ "$stderr" = "taurun: E_SANDBOX_UNAVAILABLE: AppArmor is not enabled in this kernel" ]
    [ ! -e "/run/taurun/tau-strict-$$" ]
}

@test "audit: a convert the policy refuses leaves a policy-denial record naming the app" {
    : > "$TAURUN_AUDIT_LOG"
    mkdir -p "$W/refused-src"
    cat > "$W/refused-src/manifest.tau" <<JSON
{"id": "org.tauos.refused", "command": ["/bin/true"], "rootfs": "$ROOTFS", "permissions": ["camera"]}
JSON
    run --separate-stderr "$TAURUN" convert --state-dir "$STATE" "$W/refused-src/manifest.tau" --bundle "$W/refused" < /dev/null
    [ "$status" -eq 77 ]
    [[ "$stderr" == "taurun: E_POLICY_DENIED: org.tauos.refused requests camera without a recorded decision"* ]]
    run jq -r 'select(.event == "policy-denial") | .app + " " + .action' "$TAURUN_AUDIT_LOG"
    [ "$output" = "org.tauos.refused refused" ]
    run jq -r 'select(.event == "policy-denial") | .message' "$TAURUN_AUDIT_LOG"
    [[ "$output" == "org.tauos.refused refused: E_POLICY_DENIED: org.tauos.refused requests camera"* ]]
}

@test "consent: a revoke sticks for a permission that needs no consent, and --yes never erases a refusal" {
    mkdir -p "$W/consent-src"
    cat > "$W/consent-src/manifest.tau" <<JSON
{"id": "org.tauos.consent", "command": ["/bin/true"], "rootfs": "$ROOTFS", "permissions": ["gpu", "camera"]}
JSON
    local convert=("$TAURUN" convert --state-dir "$STATE" --rootfs "$ROOTFS" --device-root "$DEVROOT")
    "$TAURUN" revoke --state-dir "$STATE" org.tauos.consent gpu camera
    "${convert[@]}" "$W/consent-src/manifest.tau" --bundle "$W/consent" --yes < /dev/null
    run jq -r '.annotations["org.tauos.app.permissions"]' "$W/consent/config.json"
    [[ $output != *gpu* && $output != *camera* ]]
    run jq -r '.annotations["org.tauos.app.permissions.denied"]' "$W/consent/config.json"
    [[ $output == *gpu* && $output == *camera* ]]
    # The explicit way to change a refusal.
    "$TAURUN" grant --state-dir "$STATE" org.tauos.consent gpu
    "${convert[@]}" "$W/consent-src/manifest.tau" --bundle "$W/consent" < /dev/null
    run jq -r '.annotations["org.tauos.app.permissions"]' "$W/consent/config.json"
    [[ $output == *gpu* && $output != *camera* ]]
}

@test "consent: every change of a decision is one audit record (grant, revoke, --yes, --grant), shown by taurun audit --app" {
    : > "$TAURUN_AUDIT_LOG"
    mkdir -p "$W/audited-src"
    cat > "$W/audited-src/manifest.tau" <<JSON
{"id": "org.tauos.audited", "command": ["/bin/true"], "rootfs": "$ROOTFS", "permissions": ["network", "camera", "microphone"]}
JSON
    local convert=("$TAURUN" convert --state-dir "$STATE" --rootfs "$ROOTFS" --device-root "$DEVROOT")
    "$TAURUN" revoke --state-dir "$STATE" org.tauos.audited camera
    "${convert[@]}" "$W/audited-src/manifest.tau" --bundle "$W/audited" --grant network --yes < /dev/null
    "$TAURUN" grant --state-dir "$STATE" org.tauos.audited camera
    # No change, no record.
    "$TAURUN" grant --state-dir "$STATE" org.tauos.audited camera
    run jq -r 'select(.event == "consent") | .message' "$TAURUN_AUDIT_LOG"
    echo "$output"
    [ "${#lines[@]}" -eq 4 ]
    [[ ${lines[0]} == "org.tauos.audited camera: ask -> denied by "*" (revoke)" ]]
    [[ ${lines[1]} == "org.tauos.audited network: ask -> granted by "*" (--grant)" ]]
    [[ ${lines[2]} == "org.tauos.audited microphone: ask -> granted by "*" (--yes)" ]]
    [[ ${lines[3]} == "org.tauos.audited camera: denied -> granted by "*" (grant)" ]]
    run "$TAURUN" audit --app org.tauos.audited
    [[ $output == *"camera: denied -> granted"* ]]
}

@test "unsandboxed: convert of sandbox = none warns and audits, and explain says what the bundle lacks" {
    : > "$TAURUN_AUDIT_LOG"
    mkdir -p "$W/bare-src"
    cat > "$W/bare-src/tau-app.json" <<JSON
{"id": "org.tauos.bare", "command": ["/bin/true"], "rootfs": "$ROOTFS", "sandbox": "none", "sandbox_unsafe_ack": true}
JSON
    run --separate-stderr "$TAURUN" convert --state-dir "$STATE" "$W/bare-src/tau-app.json" --bundle "$W/bare" < /dev/null
    [ "$status" -eq 0 ]
    [[ $stderr == *'org.tauos.bare runs UNSANDBOXED (sandbox = "none"): no user namespace, seccomp filter or AppArmor profile'* ]]
    run jq -r 'select(.event == "unsandboxed") | .app' "$TAURUN_AUDIT_LOG"
    [ "$output" = org.tauos.bare ]
    run "$TAURUN" explain --state-dir "$STATE" "$W/bare-src/tau-app.json"
    [[ $output == *"UNSANDBOXED"* && $output == *"NO user namespace"* && $output == *"no seccomp filter"* && $output == *"no AppArmor profile"* ]]
    # What explain says is what the bundle has.
    [ "$(jq '[.linux.namespaces[].type] | index("user")' "$W/bare/config.json")" = null ]
    [ "$(jq '.linux.seccomp' "$W/bare/config.json")" = null ]
}

@test "the design notes' manifest.tau (no command) converts with the command after --, and is refused without one" {
    mkdir -p "$W/seed-src"
    # ../shared/seeds/001: {"id": "org.tauos.media", "permissions": ["network", "camera", "microphone", "filesystem:ro"]}
    printf '{\n  "id": "org.tauos.seedmedia",\n  "permissions": ["network", "camera", "microphone", "filesystem:ro"]\n}\n' \
        > "$W/seed-src/manifest.tau"
    local convert=("$TAURUN" convert --state-dir "$STATE" --rootfs "$ROOTFS" --device-root "$DEVROOT")
    run --separate-stderr "${convert[@]}" "$W/seed-src/manifest.tau" --bundle "$W/seed" --data "$MEDIA_DATA" --yes < /dev/null
    [ "$status" -eq 65 ]
    [[ $stderr == *"missing required key command"*"taurun convert MANIFEST -- /path/to/program ARGS"* ]]
    [ ! -e "$W/seed" ]
    run --separate-stderr "${convert[@]}" "$W/seed-src/manifest.tau" --bundle "$W/seed" --data "$MEDIA_DATA" --yes \
        -- /bin/sh -c 'echo seed app' < /dev/null
    [ "$status" -eq 0 ]
    [ "$(jq -c .process.args "$W/seed/config.json")" = '["/bin/sh","-c","echo seed app"]' ]
}

@test "the design notes' manifest.tau converts as it is when the app's rootfs has its program at /app/bin/<name>" {
    # The rootfs convention (docs/tau-apps.md): org.tauos.seedplayer's program is /app/bin/seedplayer.
    local rootfs="$W/seed-rootfs"
    cp -a "$ROOTFS" "$rootfs"
    mkdir -p "$rootfs/app/bin"
    printf '#!/bin/sh\necho "seed player as $(id -u)"\n' > "$rootfs/app/bin/seedplayer"
    chmod 755 "$rootfs/app/bin/seedplayer"
    mkdir -p "$W/seed-player-src"
    # ../shared/seeds/001's manifest.tau, under an id of its own (the suite's org.tauos.media keeps its decisions).
    printf '{\n  "id": "org.tauos.seedplayer",\n  "permissions": ["network", "camera", "microphone", "filesystem:ro"]\n}\n' \
        > "$W/seed-player-src/manifest.tau"
    run --separate-stderr "$TAURUN" convert --state-dir "$STATE" --rootfs "$rootfs" --device-root "$DEVROOT" \
        "$W/seed-player-src/manifest.tau" --bundle "$W/seed-player" --data "$MEDIA_DATA" --yes < /dev/null
    [ "$status" -eq 0 ]
    [ "$(jq -c .process.args "$W/seed-player/config.json")" = '["/app/bin/seedplayer"]' ]
    run --separate-stderr "$RUNTIME" run --bundle "$W/seed-player" "tau-seed-$$"
    "$RUNTIME" delete -f "tau-seed-$$" > /dev/null 2>&1 || true
    [ "$status" -eq 0 ]
    [ "$output" = "seed player as 1000" ]
}

@test "the design notes' abbreviations (net, files) get a did-you-mean, in a manifest and on the command line" {
    mkdir -p "$W/abbrev-src"
    printf '{"id": "org.tauos.abbrev", "command": ["/bin/true"], "permissions": ["camera", "net", "files"]}\n' > "$W/abbrev-src/manifest.tau"
    run --separate-stderr "$TAURUN" convert --state-dir "$STATE" --rootfs "$ROOTFS" "$W/abbrev-src/manifest.tau" --bundle "$W/abbrev" < /dev/null
    [ "$status" -eq 65 ]
    [[ $stderr == *'permissions[1]: unknown permission "net" (did you mean network?)'* ]]
    [ ! -e "$W/abbrev" ]
    run --separate-stderr "$TAURUN" revoke --state-dir "$STATE" org.tauos.media files
    [ "$status" -eq 65 ]
    [[ $stderr == *'unknown permission "files" (did you mean filesystem:ro?)'* ]]
}

@test "exec into a Tau app is watched like the app: a violation by the exec'd process is audited and ends the app" {
    is_taurun || skip "the security monitor is taurun's (runc and crun enforce the same filter without the record)"
    : > "$TAURUN_AUDIT_LOG"
    local id="tau-exec-$$"
    jq '.process.args = ["/bin/sleep", "30"]' "$W/media-denied/config.json" > "$W/media-denied/config.json.new"
    mv "$W/media-denied/config.json.new" "$W/media-denied/config.json"
    "$RUNTIME" run -d --bundle "$W/media-denied" "$id" < /dev/null > /dev/null
    run --separate-stderr "$RUNTIME" exec "$id" /bin/sh -c 'nc -w 1 127.0.0.1 9 < /dev/null; echo "nc=$?"'
    echo "status $status; stdout: $output; stderr: $stderr"
    # terminate: the exec'd process is killed before it can act on the answer, and the whole app with it.
    [[ $output != *"nc="* ]]
    [[ $stderr == *'org.tauos.media terminated: socket(AF_INET, SOCK_STREAM) needs permission "network", which is not granted'* ]]
    run jq -r --arg c "$id" 'select(.event == "violation" and .container == $c) | .syscall + " " + .action' "$TAURUN_AUDIT_LOG"
    [ "$output" = "socket terminated" ]
    for _ in $(seq 50); do
        [[ $("$RUNTIME" state "$id" 2>/dev/null | jq -r .status) == stopped ]] && break
        sleep 0.1
    done
    [ "$("$RUNTIME" state "$id" | jq -r .status)" = stopped ]
    "$RUNTIME" delete "$id"
}

@test "an app cannot hide a violation behind a seccomp filter of its own: installing one is the violation" {
    is_taurun || skip "the audit record is taurun's (runc and crun apply the same filter: the prctl is refused)"
    command -v cc > /dev/null || skip "no C compiler to build the probe"
    cat > "$BATS_TEST_TMPDIR/own-filter.c" <<'C'
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
/* A filter of the app's own: socket() fails with EPERM (which would outrank the sandbox's notification), all else
 * is allowed. Then an IP socket, which the app is not granted. */
int main(void) {
    struct sock_filter insns[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { sizeof insns / sizeof insns[0], insns };
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) { perror("prctl"); return 2; }
    printf("own filter installed\n");
    fflush(stdout);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    printf("socket=%d (refused quietly)\n", fd);
    return 0;
}
C
    cc -static -O2 -o "$W/probe-own-filter" "$BATS_TEST_TMPDIR/own-filter.c" || skip "cannot build a static probe here"
    : > "$TAURUN_AUDIT_LOG"
    local id="tau-own-filter-$$"
    cp "$W/probe-own-filter" "$ROOTFS/bin/probe-own-filter"
    jq '.process.args = ["/bin/probe-own-filter"]' "$W/media-denied/config.json" > "$W/media-denied/config.json.new"
    mv "$W/media-denied/config.json.new" "$W/media-denied/config.json"
    run --separate-stderr "$RUNTIME" run --bundle "$W/media-denied" "$id"
    rm -f "$ROOTFS/bin/probe-own-filter"
    "$RUNTIME" delete -f "$id" > /dev/null 2>&1 || true
    echo "status $status; stdout: $output; stderr: $stderr"
    [[ $output != *"own filter installed"* ]]
    [[ $stderr == *"org.tauos.media terminated: prctl("*"is not allowed: apps cannot install their own seccomp filters"* ]]
    run jq -r 'select(.event == "violation") | .syscall' "$TAURUN_AUDIT_LOG"
    [ "$output" = prctl ]
}

@test "grant: an unknown app or a permission the manifest does not request is an error with a suggestion, not a record" {
    run --separate-stderr "$TAURUN" grant --state-dir "$STATE" org.tauos.medai camera
    [ "$status" -eq 77 ]
    [[ $stderr == *"unknown app org.tauos.medai: convert its manifest first (did you mean org.tauos.media?)"* ]]
    [ ! -e "$STATE/grants/org.tauos.medai.json" ]
    # media requests network, camera, microphone and filesystem:ro; not gpu.
    run --separate-stderr "$TAURUN" grant --state-dir "$STATE" org.tauos.media gpu
    [ "$status" -eq 77 ]
    [[ $stderr == *"org.tauos.media does not request gpu (it requests network, camera, microphone, filesystem:ro)"* ]]
    run jq -r '.granted | index("gpu")' "$STATE/grants/org.tauos.media.json"
    [ "$output" = null ]
}

@test "resources: an app without [resources] runs under the documented defaults (1G memory, 2 cores, 1024 pids)" {
    run jq -c '[.linux.resources.memory.limit, .linux.resources.cpu.quota, .linux.resources.cpu.period, .linux.resources.pids.limit]' "$W/hello/config.json"
    [ "$output" = "[1073741824,200000,100000,1024]" ]
}

@test "resources: a manifest asking for more than the host's ceiling is E_POLICY_DENIED, and writes nothing" {
    mkdir -p "$W/greedy-src"
    cat > "$W/greedy-src/tau-app.json" <<JSON
{"id": "org.tauos.greedy", "command": ["/bin/true"], "rootfs": "$ROOTFS", "resources": {"memory": "64G"}}
JSON
    run --separate-stderr "$TAURUN" convert --state-dir "$STATE" "$W/greedy-src/tau-app.json" --bundle "$W/greedy" < /dev/null
    [ "$status" -eq 77 ]
    [[ $stderr == *"org.tauos.greedy: resources.memory 64G is above this host's ceiling of 16G"* ]]
    [ ! -e "$W/greedy" ]
}

@test "apps lists the converted apps with their decisions; reset returns them to ask (audited)" {
    : > "$TAURUN_AUDIT_LOG"
    run "$TAURUN" apps --state-dir "$STATE"
    echo "$output"
    [[ ${lines[0]} == "APP"*"GRANTED"*"DENIED" ]]
    grep -q '^org.tauos.media ' <<< "$output"
    grep -q '^org.tauos.hello ' <<< "$output"
    run "$TAURUN" apps --state-dir "$STATE" --json
    [ "$(jq -r '.[] | select(.app == "org.tauos.notes") | .granted | index("filesystem:rw") != null' <<< "$output")" = true ]
    run "$TAURUN" reset --state-dir "$STATE" org.tauos.notes filesystem:rw
    [ "$status" -eq 0 ]
    [[ $output == "reset org.tauos.notes (filesystem:rw) to ask; convert it again to apply" ]]
    run "$TAURUN" apps --state-dir "$STATE" --json
    [ "$(jq -r '.[] | select(.app == "org.tauos.notes") | .granted | index("filesystem:rw")' <<< "$output")" = null ]
    run jq -r 'select(.event == "consent") | .message' "$TAURUN_AUDIT_LOG"
    [[ $output == "org.tauos.notes filesystem:rw: granted -> ask by "*" (reset)" ]]
}

@test "owner: the user who owns an app opens what it wrote in its 0700 home (ACLs, inherited); nobody else does" {
    command -v getfacl > /dev/null || skip "getfacl (package acl) is not installed"
    local convert=("$TAURUN" convert --state-dir "$STATE" --rootfs "$ROOTFS" --device-root "$DEVROOT")
    local home="$STATE/apps/org.tauos.hello/home" app_uid=$(( $(host_base hello) + 1000 ))
    "${convert[@]}" "$REPO_ROOT/bundles/hello/tau.toml" --bundle "$W/hello" --owner nobody < /dev/null
    # Still closed to the app's group and to others (the group bits shown by stat are now the ACL mask).
    [ "$(stat -c %a "$home" | cut -c3)" = 0 ]
    getfacl -p "$home" | grep -qx 'group::---\|group::---.*'
    getfacl -p "$home" | grep -qx 'other::---'
    getfacl -p "$home" | grep -qx 'user:nobody:rwx'
    getfacl -p "$home" | grep -qx 'default:user:nobody:rwx'
    # Something the app writes later (as its host uid) is the owner's to open, through the inherited entry.
    setpriv --reuid="$app_uid" --regid="$app_uid" --clear-groups sh -c "echo app-data > '$home/written-by-app'"
    run setpriv --reuid=65534 --regid=65534 --clear-groups cat "$home/written-by-app"
    [ "$output" = app-data ]
    # Another user (and so another app's host uid) still gets nothing.
    run setpriv --reuid=65533 --regid=65533 --clear-groups ls "$home"
    [ "$status" -ne 0 ]
    # A new owner replaces the old one's entries.
    "${convert[@]}" "$REPO_ROOT/bundles/hello/tau.toml" --bundle "$W/hello" --owner daemon < /dev/null
    ! getfacl -p -R "$home" 2>/dev/null | grep -q 'user:nobody:'
    getfacl -p "$home" | grep -qx 'user:daemon:rwx'
    run --separate-stderr "${convert[@]}" "$REPO_ROOT/bundles/hello/tau.toml" --bundle "$W/hello" --owner no-such-user < /dev/null
    [ "$status" -eq 77 ]
    [[ $stderr == *"--owner no-such-user: no such user in /etc/passwd"* ]]
}

# sockets_convert WAYLAND_DISPLAY: converts org.tauos.sockets (audio, display) with the session of $xdg and :$number,
# then sets $bound (the mounts of config.json from that session), $session_env (the socket variables the app gets)
# and, from a run of the app, $output: each of the four session paths inside that is a FIFO, block device or socket.
sockets_convert() {
    run --separate-stderr env XDG_RUNTIME_DIR="$xdg" WAYLAND_DISPLAY="$1" DISPLAY=":$number" "$TAURUN" convert \
        --state-dir "$STATE" --rootfs "$ROOTFS" --device-root "$DEVROOT" "$W/sockets-src/tau.toml" --bundle "$W/sockets" \
        --yes < /dev/null
    echo "WAYLAND_DISPLAY=$1: convert status $status, stderr: $stderr"
    [ "$status" -eq 0 ]
    bound=$(jq -c '[.mounts[] | select(.source | startswith($x) or . == $d) | .source]' --arg x "$xdg" --arg d "$x11" \
        "$W/sockets/config.json")
    session_env=$(jq -r '.process.env[] | select(test("^(PULSE_SERVER|WAYLAND_DISPLAY|DISPLAY)="))' "$W/sockets/config.json" | xargs)
    echo "bound: $bound; environment: $session_env"
    probe sockets "for p in /run/user/1000/pulse/native /run/user/1000/pipewire-0 /run/user/1000/wayland-0 $x11; do
                       if [ -p \$p ]; then echo \"fifo \$p\"; elif [ -b \$p ]; then echo \"block \$p\"; elif [ -S \$p ]; then echo \"socket \$p\"; fi
                   done"
    echo "inside: status $status: $output $stderr"
    [ "$status" -eq 0 ]
}

@test "session sockets: a FIFO or device node planted where convert looks for PulseAudio, PipeWire, Wayland or X11 is not bound into the app" {
    command -v setfacl > /dev/null || skip "setfacl (package acl) is not installed"
    command -v python3 > /dev/null || skip "python3 makes the one real socket"
    xdg="$W/xdg-planted" number=$((700 + RANDOM % 200))
    x11="/tmp/.X11-unix/X$number"
    [[ ! -e $x11 ]] || skip "$x11 exists"
    if [[ ! -d /tmp/.X11-unix ]]; then
        mkdir -m 1777 /tmp/.X11-unix
        echo /tmp/.X11-unix >> "$W/planted-outside"
    fi
    mkdir -p "$W/sockets-src" "$xdg/pulse"
    chmod 0700 "$xdg"
    printf 'id = "org.tauos.sockets"\ncommand = ["/bin/true"]\nrootfs = "%s"\n[permissions]\naudio = true\ndisplay = true\n' \
        "$ROOTFS" > "$W/sockets-src/tau.toml"
    # What the user planted where the session's servers would listen: FIFOs and block devices (loop numbers), none
    # a socket. Bound into the app, a FIFO is a channel to whoever holds its other end and a device node is the
    # device, with an ACL entry from convert giving the app's host uid rw on it. FIFOs need only the user; the
    # device nodes need root.
    mkfifo "$xdg/pulse/native" "$xdg/wayland-fifo"
    mknod "$xdg/pipewire-0" b 7 200
    echo "$x11" >> "$W/planted-outside"
    mknod "$x11" b 7 201
    sockets_convert wayland-fifo
    [ "$bound" = '[]' ]
    [ -z "$session_env" ]
    [ -z "$output" ]
    # A real socket named by WAYLAND_DISPLAY is bound: convert did look in this session, and binds only the socket.
    python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$xdg/wayland-0"
    sockets_convert wayland-0
    [ "$bound" = "[\"$xdg/wayland-0\"]" ]
    [ "$session_env" = WAYLAND_DISPLAY=wayland-0 ]
    [ "$output" = "socket /run/user/1000/wayland-0" ]
}
