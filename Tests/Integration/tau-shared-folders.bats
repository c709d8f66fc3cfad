#!/usr/bin/env bats
# Folders shared between Tau apps (issue 14, item 16): a host path is shared by exactly the apps granted it, through
# POSIX ACL entries for their host uids that convert sets and revoke and uninstall take back. Real conversions, real
# containers under $RUNTIME (taurun, runc or crun), and the host's own view of the folder as each app's host uid.
# Needs root and the acl tools. TAURUN converts (default: the release taurun).

bats_require_minimum_version 1.5.0

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
RUNTIME=${RUNTIME:-$REPO_ROOT/.build/release/taurun}
TAURUN=${TAURUN:-$REPO_ROOT/.build/release/taurun}

setup_file() {
    [[ $(id -u) == 0 ]] || skip "convert needs root"
    command -v getfacl > /dev/null && command -v setpriv > /dev/null || skip "needs getfacl (acl) and setpriv"
    W=$(mktemp -d /tmp/tau-shared.XXXXXX)
    chmod 755 "$W"
    export W STATE="$W/state" TAURUN_AUDIT_LOG="$W/audit.jsonl" SHARED="$W/shared"
    export ROOTFS=${ROOTFS:-$REPO_ROOT/build/rootfs}
    [[ -x $ROOTFS/bin/busybox ]] || skip "no busybox rootfs at $ROOTFS (make rootfs)"
    # The folder itself is closed to everyone but root: only ACL entries let an app in.
    mkdir -m 700 "$SHARED"
    echo "from the user" > "$SHARED/before"
    chmod 600 "$SHARED/before"
    for app in writer-a writer-b outsider; do
        mkdir -p "$W/$app-src"
        printf 'id = "org.tauos.%s"\ncommand = ["/bin/sh"]\n[permissions]\nfilesystem = { mode = "rw", paths = ["%s"] }\n' \
            "$app" "$SHARED" > "$W/$app-src/tau.toml"
    done
    local convert=("$TAURUN" convert --state-dir "$STATE" --rootfs "$ROOTFS")
    "${convert[@]}" "$W/writer-a-src/tau.toml" --bundle "$W/writer-a" --grant filesystem:rw < /dev/null
    "${convert[@]}" "$W/writer-b-src/tau.toml" --bundle "$W/writer-b" --grant filesystem:rw < /dev/null
    # The outsider asks for the same folder and is refused it (read-only too).
    "$TAURUN" revoke --state-dir "$STATE" org.tauos.outsider filesystem:ro
    "${convert[@]}" "$W/outsider-src/tau.toml" --bundle "$W/outsider" < /dev/null
}

teardown_file() {
    [[ -n ${W:-} ]] && rm -rf "$W"
    return 0
}

# probe BUNDLE SCRIPT: runs SCRIPT with /bin/sh in BUNDLE (only process.args changed) under $RUNTIME.
probe() {
    local bundle=$1 script=$2 id="tau-shared-$$-$RANDOM"
    jq --arg s "$script" '.process.args = ["/bin/sh", "-c", $s]' "$W/$bundle/config.json" > "$W/$bundle/config.json.new"
    mv "$W/$bundle/config.json.new" "$W/$bundle/config.json"
    run --separate-stderr "$RUNTIME" run --bundle "$W/$bundle" "$id"
    "$RUNTIME" delete -f "$id" > /dev/null 2>&1 || true
}

app_uid() {
    echo $(( $(jq -r '.annotations["org.tauos.app.host_id_base"]' "$W/$1/config.json") + 1000 ))
}

# as UID COMMAND…: COMMAND on the host as the app's host uid, no groups.
as() {
    local uid=$1
    shift
    setpriv --reuid="$uid" --regid="$uid" --clear-groups "$@"
}

@test "a folder granted to two apps: both write in it, and each reads and changes what the other wrote" {
    probe writer-a "echo a > $SHARED/from-a && mkdir $SHARED/dir-a && echo a > $SHARED/dir-a/file && cat $SHARED/before"
    echo "$stderr"
    [ "$status" -eq 0 ]
    [ "$output" = "from the user" ]
    probe writer-b "cat $SHARED/from-a $SHARED/dir-a/file && echo b >> $SHARED/from-a && echo b > $SHARED/dir-a/from-b && echo b > $SHARED/from-b"
    echo "$stderr"
    [ "$status" -eq 0 ]
    [ "${lines[*]}" = "a a" ]
    probe writer-a "cat $SHARED/from-a $SHARED/from-b $SHARED/dir-a/from-b"
    [ "$status" -eq 0 ]
    [ "${lines[*]}" = "a b b b" ]
    # On the host: each file belongs to the app that made it, and names both apps' uids, nobody else's.
    [ "$(stat -c %u "$SHARED/from-a")" = "$(app_uid writer-a)" ]
    run getfacl -cnp "$SHARED/from-b"
    [[ $output == *"user:$(app_uid writer-a):rw"* && $output == *"user:$(app_uid writer-b):rw"* ]]
    [[ $output != *"user:$(app_uid outsider):"* ]]
}

@test "an app that is not granted the folder cannot read it: not mounted inside, and no entry for it on the host" {
    probe outsider "ls $SHARED 2>&1; echo rc=\$?"
    [[ ${lines[0]} == *"No such file or directory"* ]]
    [ "$(jq -r '.annotations["org.tauos.app.permissions.denied"]' "$W/outsider/config.json")" = "filesystem:rw" ]
    run as "$(app_uid outsider)" cat "$SHARED/from-a"
    [ "$status" -ne 0 ]
    [[ $output == *"Permission denied"* ]]
    run as "$(app_uid outsider)" ls "$SHARED"
    [ "$status" -ne 0 ]
    ! getfacl -Rcnp "$SHARED" | grep -q "user:$(app_uid outsider):"
}

@test "revoking one app's grant takes its entries away at once, even from a bundle not yet converted again; the other app keeps the folder" {
    local a b
    a=$(app_uid writer-a) b=$(app_uid writer-b)
    run "$TAURUN" revoke --state-dir "$STATE" org.tauos.writer-a filesystem:ro
    [ "$status" -eq 0 ]
    ! getfacl -Rcnp "$SHARED" | grep -q "user:$a:"
    run as "$a" cat "$SHARED/from-a"
    [ "$status" -ne 0 ]
    # The old bundle still mounts the folder, but the kernel no longer lets the app in.
    probe writer-a "cat $SHARED/from-b; echo x > $SHARED/late; echo done"
    [[ $stderr == *"Permission denied"* ]]
    [ ! -e "$SHARED/late" ]
    probe writer-b "echo still > $SHARED/from-b && cat $SHARED/from-b"
    [ "$status" -eq 0 ]
    [ "$output" = still ]
    # Converted again, app a's bundle no longer has the folder.
    "$TAURUN" convert --state-dir "$STATE" --rootfs "$ROOTFS" "$W/writer-a-src/tau.toml" --bundle "$W/writer-a" < /dev/null
    ! jq -e --arg p "$SHARED" '.mounts[] | select(.destination == $p)' "$W/writer-a/config.json"
}

@test "uninstalling the last app granted the folder leaves it with its plain mode and no ACL at all" {
    "$TAURUN" uninstall --state-dir "$STATE" --yes org.tauos.writer-b
    run getfacl -Rcnp "$SHARED"
    echo "$output"
    ! grep -Eq '^(default:)?(user|group):[0-9]+:|mask' <<< "$output"
    [ "$(stat -c %a "$SHARED")" = 700 ]
    [ "$(stat -c %a "$SHARED/before")" = 600 ]
    # What the apps wrote stays, owned by their (never reused) host uids: it is the user's data now.
    [ -f "$SHARED/from-b" ]
}
