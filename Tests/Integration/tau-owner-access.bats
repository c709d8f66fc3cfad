#!/usr/bin/env bats
# What convert changes as root in the app's home, a tree the app itself writes: the owner's ACL entries on everything
# in it (docs/permissions.md, "The app's owner"), and the tmp/ it makes when missing. An app that plants symlinks
# there, or swaps its own directories and files for symlinks while convert works, must never get root to change the
# ACL, mode or owner of a host file. The attacks are real: symlinks made inside a running container of the app, and
# renameat2(RENAME_EXCHANGE) swaps made as the app's host uid while convert runs. Needs root, getfacl (acl), setpriv
# and python3. TAURUN converts (default: the release taurun), RUNTIME runs the app.

bats_require_minimum_version 1.5.0

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
RUNTIME=${RUNTIME:-$REPO_ROOT/.build/release/taurun}
TAURUN=${TAURUN:-$REPO_ROOT/.build/release/taurun}

setup_file() {
    [[ $(id -u) == 0 ]] || skip "convert needs root"
    command -v getfacl > /dev/null && command -v setpriv > /dev/null && [[ -x /usr/bin/python3 ]] \
        || skip "needs getfacl (acl), setpriv and /usr/bin/python3"
    # Not under $BATS_FILE_TMPDIR (0700): the app's host uid must traverse every parent of its bundle and home.
    W=$(mktemp -d /tmp/tau-owner.XXXXXX)
    chmod 755 "$W"
    export W STATE="$W/state" TAURUN_AUDIT_LOG="$W/audit.jsonl"
    export ROOTFS=${ROOTFS:-$REPO_ROOT/build/rootfs}
    [[ -x $ROOTFS/bin/busybox ]] || skip "no busybox rootfs at $ROOTFS (make rootfs)"
    "$TAURUN" convert --state-dir "$STATE" --rootfs "$ROOTFS" "$REPO_ROOT/bundles/hello/tau.toml" --bundle "$W/hello" \
        --owner nobody < /dev/null
    export APP_HOME="$STATE/apps/org.tauos.hello/home"
    export APP_UID=$(( $(jq -r '.annotations["org.tauos.app.host_id_base"]' "$W/hello/config.json") + 1000 ))
}

teardown_file() {
    [[ -n ${W:-} ]] && rm -rf "$W"
    return 0
}

# probe SCRIPT: runs SCRIPT with /bin/sh in the app's bundle (only process.args changed) under $RUNTIME.
probe() {
    local id="tau-owner-$$-$RANDOM"
    jq --arg s "$1" '.process.args = ["/bin/sh", "-c", $s]' "$W/hello/config.json" > "$W/hello/config.json.new"
    mv "$W/hello/config.json.new" "$W/hello/config.json"
    run --separate-stderr "$RUNTIME" run --bundle "$W/hello" "$id"
    "$RUNTIME" delete -f "$id" > /dev/null 2>&1 || true
}

# Every named ACL entry and every mode in a host tree, one line each: what must not change.
host_state() {
    getfacl -Rcnp "$1" | grep -E '^(default:)?(user|group):[0-9]+:|^mask' || true
    find "$1" -printf '%m %u %p\n'
}

@test "owner access: symlinks the app plants in its home, and swaps of its directories for symlinks, never lead root to a host file" {
    # Host files only root may touch: one file, and a directory with the same names as the app's own directory.
    echo secret > "$W/target"
    chmod 600 "$W/target"
    mkdir -m 700 "$W/target-dir"
    for i in $(seq -w 0 399); do : > "$W/target-dir/n$i"; done
    chmod 600 "$W"/target-dir/*
    local before
    before=$(host_state "$W/target"; host_state "$W/target-dir")

    # From inside a running container of the app: symlinks to them, a directory of files with those names, a file.
    probe "ln -s $W/target /home/app/file-link && ln -s $W/target-dir /home/app/dir-link && mkdir /home/app/d &&
           for i in \$(seq -w 0 399); do : > /home/app/d/n\$i; done && echo data > /home/app/f && echo planted"
    echo "$stderr"
    [ "$output" = planted ]

    # As the app's host uid, while convert re-applies the owner's access: swap the directory with the directory
    # symlink, and the file with the file symlink, atomically and without pause.
    setpriv --reuid="$APP_UID" --regid="$APP_UID" --clear-groups /usr/bin/python3 -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
home = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
while True:
    libc.renameat2(home, b"d", home, b"dir-link", 2)    # RENAME_EXCHANGE
    libc.renameat2(home, b"f", home, b"file-link", 2)
' "$APP_HOME" &
    local swapper=$! statuses=()
    # Each convert takes the previous owner's entries away and gives the new owner theirs: two walks of the home.
    for owner in daemon nobody daemon nobody daemon nobody; do
        "$TAURUN" convert --state-dir "$STATE" --rootfs "$ROOTFS" "$REPO_ROOT/bundles/hello/tau.toml" --bundle "$W/hello" \
            --owner "$owner" < /dev/null > /dev/null 2>&1 && statuses+=(0) || statuses+=($?)
    done
    kill "$swapper" || { echo "the swapper died: no attack was made" >&2; return 1; }
    wait "$swapper" 2>/dev/null || true

    local after
    after=$(host_state "$W/target"; host_state "$W/target-dir")
    diff <(echo "$before") <(echo "$after")
    [ "$(cat "$W/target")" = secret ]
    # The walk skipped the symlinks and never failed on them; the last owner (nobody) has the home.
    [ "${statuses[*]}" = "0 0 0 0 0 0" ]
    getfacl -cnp "$APP_HOME" | grep -qx 'user:65534:rwx'
    # Mid-attack a walk may miss a directory the app swapped away at that instant (that only hides the app's own
    # files from its owner); once the swapping stops, one more convert reaches what the app wrote, wherever it is.
    "$TAURUN" convert --state-dir "$STATE" --rootfs "$ROOTFS" "$REPO_ROOT/bundles/hello/tau.toml" --bundle "$W/hello" \
        --owner nobody < /dev/null > /dev/null
    local written
    written=$(find "$APP_HOME" -type f -name n399)
    getfacl -cnp "$written" | grep -q '^user:65534:rw'
}

@test "home tmp/: an app that swaps the tmp/ convert makes for a symlink never gets root to chmod or chown a host file" {
    echo secret > "$W/target-mode"
    chmod 644 "$W/target-mode"
    local before
    before=$(stat -c '%a %u %g' "$W/target-mode")
    # From inside the app: no tmp/ (so convert makes one), and a symlink to the host file ready to take its name.
    probe "rm -rf /home/app/tmp && ln -s $W/target-mode /home/app/link && echo planted"
    echo "$stderr"
    [ "$output" = planted ]
    # As the app's host uid: the moment convert has made tmp/, exchange it with the symlink; then set the trap again.
    setpriv --reuid="$APP_UID" --regid="$APP_UID" --clear-groups /usr/bin/python3 -c '
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
home = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
while True:
    if libc.renameat2(home, b"tmp", home, b"link", 2) == 0:    # RENAME_EXCHANGE
        time.sleep(0.02)
        os.unlink("tmp", dir_fd=home)
        os.rmdir("link", dir_fd=home)
        os.symlink(sys.argv[2], "link", dir_fd=home)
' "$APP_HOME" "$W/target-mode" &
    local swapper=$! i
    for i in $(seq 1 40); do
        "$TAURUN" convert --state-dir "$STATE" --rootfs "$ROOTFS" "$REPO_ROOT/bundles/hello/tau.toml" --bundle "$W/hello" \
            --owner nobody < /dev/null > /dev/null 2>&1 || true
        sleep 0.03
    done
    kill "$swapper" || { echo "the swapper died: no attack was made" >&2; return 1; }
    wait "$swapper" 2>/dev/null || true
    [ "$(stat -c '%a %u %g' "$W/target-mode")" = "$before" ]
    [ "$(cat "$W/target-mode")" = secret ]
}
