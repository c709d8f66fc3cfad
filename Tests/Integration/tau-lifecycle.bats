#!/usr/bin/env bats
# Tau app lifecycle (issue 14, item 13): an upgrade asks only for what the new manifest version adds and the version
# is recorded; `taurun uninstall` removes everything convert provisioned on the host (bundles, home and its disk
# image, grants, id range, skeleton, owner and ACL records), refuses while the app runs under any runtime, asks before
# it deletes the home, and keeps the home with --keep-data. Needs root. RUNTIME runs the containers (taurun, runc,
# crun); TAURUN converts and uninstalls (default: the release taurun).

bats_require_minimum_version 1.5.0

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
RUNTIME=${RUNTIME:-$REPO_ROOT/.build/release/taurun}
TAURUN=${TAURUN:-$REPO_ROOT/.build/release/taurun}

setup_file() {
    [[ $(id -u) == 0 ]] || skip "convert and uninstall need root"
    # Not under $BATS_FILE_TMPDIR (0700): the apps' host uids must traverse every parent of bundle, rootfs and home.
    W=$(mktemp -d /tmp/tau-lifecycle.XXXXXX)
    chmod 755 "$W"
    export W STATE="$W/state" TAURUN_AUDIT_LOG="$W/audit.jsonl"
    export ROOTFS=${ROOTFS:-$REPO_ROOT/build/rootfs}
    [[ -x $ROOTFS/bin/busybox ]] || skip "no busybox rootfs at $ROOTFS (make rootfs)"
}

teardown_file() {
    [[ -n ${W:-} ]] || return 0
    for home in "$STATE"/apps/*/home; do
        mountpoint -q "$home" 2> /dev/null && umount "$home"
    done
    rm -rf "$W"
    return 0
}

# app ID [TOML LINES…]: writes $W/ID-src/tau.toml (command /bin/sh) with the extra lines.
app() {
    local id=$1
    shift
    mkdir -p "$W/$id-src"
    printf 'id = "%s"\ncommand = ["/bin/sh"]\n' "$id" > "$W/$id-src/tau.toml"
    local line
    for line in "$@"; do printf '%s\n' "$line" >> "$W/$id-src/tau.toml"; done
}

convert() {
    "$TAURUN" convert --state-dir "$STATE" --rootfs "$ROOTFS" "$@" < /dev/null
}

# probe BUNDLE SCRIPT: runs SCRIPT with /bin/sh in BUNDLE (only process.args changed) under $RUNTIME.
probe() {
    local bundle=$1 script=$2 id="tau-life-$$-$RANDOM"
    jq --arg s "$script" '.process.args = ["/bin/sh", "-c", $s]' "$W/$bundle/config.json" > "$W/$bundle/config.json.new"
    mv "$W/$bundle/config.json.new" "$W/$bundle/config.json"
    run --separate-stderr "$RUNTIME" run --bundle "$W/$bundle" "$id"
    "$RUNTIME" delete -f "$id" > /dev/null 2>&1 || true
}

host_base() {
    jq -r '.annotations["org.tauos.app.host_id_base"]' "$W/$1/config.json"
}

@test "upgrade: a new manifest version asks only for the permission it adds, and apps shows the version" {
    mkdir -p "$W/upgrade-src"
    printf '{"id": "org.tauos.upgrade", "version": "1.0", "command": ["/bin/true"], "permissions": ["network"]}\n' \
        > "$W/upgrade-src/manifest.tau"
    convert "$W/upgrade-src/manifest.tau" --bundle "$W/upgrade" --grant network
    run "$TAURUN" apps --state-dir "$STATE"
    [ "${lines[0]}" = "APP                VERSION  GRANTED  DENIED" ]
    [ "${lines[1]}" = "org.tauos.upgrade  1.0      network  -" ]
    printf '{"id": "org.tauos.upgrade", "version": "2.0", "command": ["/bin/true"], "permissions": ["network", "camera"]}\n' \
        > "$W/upgrade-src/manifest.tau"
    run --separate-stderr convert "$W/upgrade-src/manifest.tau" --bundle "$W/upgrade"
    [ "$status" -eq 77 ]
    [[ $stderr == "taurun: E_POLICY_DENIED: org.tauos.upgrade requests camera without a recorded decision"* ]]
    # On a terminal, the one question is about camera.
    run script -qec "$TAURUN convert --state-dir $STATE --rootfs $ROOTFS $W/upgrade-src/manifest.tau --bundle $W/upgrade" /dev/null <<< y
    [ "$status" -eq 0 ]
    [ "$(grep -c '\[y/N\]' <<< "$output")" -eq 1 ]
    [[ $output == *"[camera] [y/N]"* ]]
    run "$TAURUN" apps --state-dir "$STATE" --json
    [ "$(jq -c '.[] | select(.app == "org.tauos.upgrade") | [.version, .granted]' <<< "$output")" = '["2.0",["network","camera"]]' ]
    [ "$(jq -r .version "$STATE/grants/org.tauos.upgrade.json")" = 2.0 ]
}

@test "uninstall: refused while a container of the app runs (under any runtime), and without --yes" {
    app org.tauos.busy
    convert "$W/org.tauos.busy-src/tau.toml" --bundle "$W/busy"
    local id="tau-busy-$$"
    jq '.process.args = ["/bin/sleep", "60"]' "$W/busy/config.json" > "$W/busy/config.json.new"
    mv "$W/busy/config.json.new" "$W/busy/config.json"
    "$RUNTIME" run -d --bundle "$W/busy" "$id" < /dev/null > /dev/null 2>&1
    run --separate-stderr "$TAURUN" uninstall --state-dir "$STATE" --yes org.tauos.busy
    "$RUNTIME" kill "$id" KILL > /dev/null 2>&1 || true
    for _ in $(seq 50); do
        "$RUNTIME" delete "$id" > /dev/null 2>&1 && break
        sleep 0.1
    done
    echo "$stderr"
    [ "$status" -eq 77 ]
    [[ $stderr == "taurun: E_POLICY_DENIED: org.tauos.busy is running ("*"pid "*"): stop it first"*"nothing was removed" ]]
    if [[ $("$RUNTIME" --version) == taurun* ]]; then
        [[ $stderr == *"container $id"* ]]
    fi
    [ -f "$W/busy/config.json" ] && [ -d "$STATE/apps/org.tauos.busy/home" ]
    # Stopped, but nobody confirmed deleting the home (no terminal, no --yes).
    run --separate-stderr "$TAURUN" uninstall --state-dir "$STATE" org.tauos.busy < /dev/null
    [ "$status" -eq 77 ]
    [ "$stderr" = "taurun: E_POLICY_DENIED: uninstalling org.tauos.busy deletes its home $STATE/apps/org.tauos.busy/home: pass --yes to confirm, or --keep-data to keep it; nothing was removed" ]
    [ -d "$STATE/apps/org.tauos.busy/home" ] && [ -f "$STATE/grants/org.tauos.busy.json" ]
    # A "no" on the terminal removes nothing either.
    run script -qec "$TAURUN uninstall --state-dir $STATE org.tauos.busy" /dev/null <<< n
    [[ $output == *"not confirmed; nothing was removed"* ]]
    [ -d "$STATE/apps/org.tauos.busy/home" ]
}

@test "uninstall --yes: nothing convert provisioned is left on the host, and the app's ids are never handed out again" {
    command -v getfacl > /dev/null || skip "getfacl (package acl) is not installed"
    # Everything convert can provision: a skeleton no other app's bundles name (its rootfs has a top-level /opt the
    # others lack), a data path (its ACL entry), a disk-quota home (an image, loop-mounted), an owner (ACL record), a
    # grant, two bundles.
    app org.tauos.gone 'version = "3.1"' "rootfs = \"$W/gone-rootfs\"" '[permissions]' 'network = true' 'filesystem = "ro"' \
        '[resources]' 'disk = "16M"'
    cp -a "$ROOTFS" "$W/gone-rootfs"
    mkdir "$W/gone-rootfs/opt"
    mkdir -m 700 "$W/gone-data"
    local own=("$TAURUN" convert --state-dir "$STATE" "$W/org.tauos.gone-src/tau.toml" --data "$W/gone-data")
    "${own[@]}" --bundle "$W/gone" --grant network --owner nobody < /dev/null
    "${own[@]}" --bundle "$W/gone-copy" < /dev/null
    getfacl -p "$W/gone-data" | grep -q "^user:$(( $(host_base gone) + 1000 )):r-x"
    local base home="$STATE/apps/org.tauos.gone/home" skeleton
    base=$(host_base gone)
    skeleton=$(jq -r .root.path "$W/gone/config.json")
    mountpoint -q "$home"
    probe gone 'echo data > "$HOME/file" && echo ok'
    [ "$output" = ok ]
    : > "$TAURUN_AUDIT_LOG"
    run --separate-stderr "$TAURUN" uninstall --state-dir "$STATE" --yes org.tauos.gone
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = "uninstalled org.tauos.gone: removed 2 bundles ($W/gone, $W/gone-copy), ACL entries on 1 granted path, 1 rootfs skeleton, home $home, grants, host ids $base-$((base + 65535))" ]
    # Nothing of it anywhere: bundles, skeleton (no other app's bundles named it), home and its mount, state files,
    # the ACL entry on the data path (which is plain 0700 again).
    [ ! -e "$W/gone" ] && [ ! -e "$W/gone-copy" ] && [ ! -e "$skeleton" ]
    [ ! -e "$STATE/apps/org.tauos.gone" ] && [ ! -e "$STATE/grants/org.tauos.gone.json" ]
    ! grep -q "org.tauos.gone" /proc/self/mountinfo
    ! grep -q "org.tauos.gone" "$STATE/ids.json"
    ! grep -rq "org.tauos.gone" "$STATE"
    [ "$(getfacl -cp "$W/gone-data" | grep -v '^$' | tr '\n' ' ')" = "user::rwx group::--- other::--- " ]
    # Audited: the decision went back to "ask", and one uninstall record says what was removed.
    run jq -r 'select(.app == "org.tauos.gone") | .event + " " + .message' "$TAURUN_AUDIT_LOG"
    [[ ${lines[0]} == "consent org.tauos.gone network: granted -> ask by "*" (uninstall)" ]]
    [[ ${lines[1]} == "uninstall uninstalled org.tauos.gone: removed 2 bundles"*" (by "*")" ]]
    run "$TAURUN" audit --app org.tauos.gone
    [[ $output == *"uninstalled org.tauos.gone"* ]]
    # Reinstalled, it is a new app: new ids (files the old one left anywhere stay owned by ids nobody gets), no grant.
    run --separate-stderr "${own[@]}" --bundle "$W/gone" < /dev/null
    [ "$status" -eq 77 ]
    "${own[@]}" --bundle "$W/gone" --grant network < /dev/null
    [ "$(host_base gone)" -gt "$base" ]
    "$TAURUN" uninstall --state-dir "$STATE" --yes org.tauos.gone
    run --separate-stderr "$TAURUN" uninstall --state-dir "$STATE" --yes org.tauos.gnoe
    [ "$status" -eq 77 ]
    [[ $stderr == *"unknown app org.tauos.gnoe: taurun has no state of it in $STATE"* ]]
}

@test "uninstall --keep-data keeps the home, and a reinstall finds what the app wrote as its own" {
    app org.tauos.keeper
    convert "$W/org.tauos.keeper-src/tau.toml" --bundle "$W/keeper"
    local base home="$STATE/apps/org.tauos.keeper/home"
    base=$(host_base keeper)
    probe keeper 'echo "kept notes" > "$HOME/notes" && chmod 600 "$HOME/notes" && echo ok'
    [ "$output" = ok ]
    run "$TAURUN" uninstall --state-dir "$STATE" --keep-data org.tauos.keeper < /dev/null
    [ "$status" -eq 0 ]
    [ "$output" = "uninstalled org.tauos.keeper: removed 1 bundle ($W/keeper), grants; kept its home $home" ]
    [ -f "$home/notes" ] && [ ! -e "$W/keeper" ] && [ ! -e "$STATE/grants/org.tauos.keeper.json" ]
    run "$TAURUN" apps --state-dir "$STATE"
    [[ $output != *org.tauos.keeper* ]]
    convert "$W/org.tauos.keeper-src/tau.toml" --bundle "$W/keeper"
    [ "$(host_base keeper)" = "$base" ]
    probe keeper 'cat "$HOME/notes"'
    [ "$status" -eq 0 ]
    [ "$output" = "kept notes" ]
}
