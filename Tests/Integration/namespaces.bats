#!/usr/bin/env bats
# Namespaces: each of the eight types is new when the config asks for it and the host's when it does not; joining
# an existing namespace by path. Identity is the inode shown by readlink /proc/self/ns/TYPE.

load helpers

NETNS_NAME=""

test_cleanup() {
    if [[ -n $NETNS_NAME ]]; then
        ip netns delete "$NETNS_NAME" 2>/dev/null || true
    fi
}

# The namespace of the container's first process, as the container sees it.
ns_inside() {
    local file=$1
    set_args readlink "/proc/self/ns/$file"
    id=$(new_id)
    run --separate-stderr rt run --bundle "$BUNDLE" "$id"
    [ "$status" -eq 0 ] || { echo "run failed: $stderr" >&2; return 1; }
    echo "$output"
}

# A config whose root is mapped to host uid/gid 100000 in a new user namespace. The rootfs belongs to the mapped root
# and the directories above it are searchable (bats makes them 0700). The cgroup mount is dropped: a user namespace
# may not mount v1 cgroup hierarchies.
with_userns() {
    chown -R 100000:100000 "$BUNDLE/rootfs"
    local dir=$BUNDLE
    while [[ $dir == "$BATS_RUN_TMPDIR"* ]]; do
        chmod a+x "$dir"
        dir=$(dirname "$dir")
    done
    add_ns user
    cfg '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
        | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
        | .mounts |= map(select(.destination != "/sys/fs/cgroup"))'
}

# Starts a process in new namespaces of the given unshare(1) flags; sets HOLDER to its pid once it is in them.
hold_ns() {
    local type=$1
    shift
    local before
    before=$(ns_of "$type")
    unshare "$@" sleep 300 3>&- &
    HOLDER=$!
    BG_PIDS+=("$HOLDER")
    local tries=100
    while (( tries-- > 0 )); do
        [[ $(ns_of "$type" "$HOLDER") != "$before" ]] && return 0
        sleep 0.02
    done
    echo "unshare $* did not enter a new $type namespace" >&2
    return 1
}

check_new() {
    local type=$1 file=$2
    # New: the config lists the type.
    add_ns "$type"
    local inside
    inside=$(ns_inside "$file")
    [ -n "$inside" ]
    [ "$inside" != "$(ns_of "$file")" ]
    [[ $inside == "$file:["* ]]
}

@test "pid namespace: new when configured (pid 1 inside), the host's when not" {
    check_new pid pid
    set_args sh -c 'echo $$'
    run rt run --bundle "$BUNDLE" "$(new_id)"
    [ "$output" = 1 ]

    drop_ns pid
    [ "$(ns_inside pid)" = "$(ns_of pid)" ]
}

@test "network namespace: new when configured (only lo), the host's when not" {
    check_new network net
    set_args ls /sys/class/net
    run rt run --bundle "$BUNDLE" "$(new_id)"
    [ "$status" -eq 0 ]
    [ "$(echo $output)" = lo ]

    drop_ns network
    [ "$(ns_inside net)" = "$(ns_of net)" ]
}

@test "ipc namespace: new when configured, the host's when not" {
    check_new ipc ipc
    drop_ns ipc
    # /dev/mqueue needs a private IPC namespace.
    cfg '.mounts |= map(select(.destination != "/dev/mqueue"))'
    [ "$(ns_inside ipc)" = "$(ns_of ipc)" ]
}

@test "uts namespace: new when configured, the host's when not" {
    check_new uts uts
    drop_ns uts
    cfg 'del(.hostname)'    # a hostname needs a private UTS namespace
    [ "$(ns_inside uts)" = "$(ns_of uts)" ]
}

@test "mount namespace: new (the container's mounts are not the host's)" {
    check_new mount mnt
}

@test "cgroup namespace: new when configured (/proc/self/cgroup is rooted at /), the host's when not" {
    [ "$(ns_inside cgroup)" = "$(ns_of cgroup)" ]
    check_new cgroup cgroup
    set_args cat /proc/self/cgroup
    run rt run --bundle "$BUNDLE" "$(new_id)"
    [ "$status" -eq 0 ]
    # Inside its own cgroup namespace the container sees its cgroups as roots.
    local line
    for line in "${lines[@]}"; do
        [[ ${line##*:} == / ]] || { echo "not rooted: $line"; return 1; }
    done
}

@test "user namespace: new with uid/gid mappings; root inside is 100000 outside" {
    [ "$(ns_inside user)" = "$(ns_of user)" ]
    with_userns
    check_new user user
    set_args sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u'
    run rt run --bundle "$BUNDLE" "$(new_id)"
    [ "$status" -eq 0 ]
    [ "$(echo ${lines[0]})" = "0 100000 65536" ]
    [ "$(echo ${lines[1]})" = "0 100000 65536" ]
    [ "${lines[2]}" = 0 ]

    # Seen from the host, the process runs as uid 100000.
    set_args sleep 100
    id=$(new_id)
    rt run --detach --bundle "$BUNDLE" "$id" < /dev/null > /dev/null 2>&1
    local pid
    pid=$(rt state "$id" | jq -r .pid)
    [ "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" = 100000 ]
}

@test "user namespace: a bind source below a directory only host root may enter is still mounted" {
    with_userns
    # /locked is 0700 root: the container's root (uid 100000 on the host) may not look up anything below it.
    local locked=$BATS_TEST_TMPDIR/locked
    mkdir -p "$locked/shared"
    echo through > "$locked/shared/file"
    chmod 0700 "$locked"
    chmod 0755 "$locked/shared"
    chmod 0644 "$locked/shared/file"
    cfg '.mounts += [{destination: "/shared", type: "bind", source: $s, options: ["rbind", "ro"]}]' --arg s "$locked/shared"
    set_args cat /shared/file
    run --separate-stderr rt run --bundle "$BUNDLE" "$(new_id)"
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    [ "$output" = through ]
    # Mounted, the source is still read-only, and the directory above it stays out of reach.
    set_args sh -c 'echo x > /shared/file'
    run --separate-stderr rt run --bundle "$BUNDLE" "$(new_id)"
    [ "$status" -ne 0 ]
    [ "$(cat "$locked/shared/file")" = through ]
}

# unmount_to_see_below SRC OPTIONS: the host hides a file under a tmpfs mounted on SRC/sub, and the container gets SRC
# at /mnt with OPTIONS (a JSON array) and CAP_SYS_ADMIN in its user namespace, unmounts /mnt/sub and reads what it
# covered. Sets $status, $output and $stderr of that run; the host's tmpfs is gone after.
unmount_to_see_below() {
    local src=$1 options=$2
    mkdir -p "$src/sub"
    echo hidden-by-host > "$src/sub/under"
    mount -t tmpfs tmpfs "$src/sub"
    chmod 0755 "$src" "$src/sub"
    cfg '.mounts |= map(select(.destination != "/mnt"))
        | .mounts += [{destination: "/mnt", type: "bind", source: $s, options: $o}]
        | del(.linux.seccomp)
        | .process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])' --arg s "$src" --argjson o "$options"
    set_args sh -c 'umount /mnt/sub; cat /mnt/sub/under'
    run --separate-stderr rt run --bundle "$BUNDLE" "$(new_id)"
    umount "$src/sub"
    echo "source ${src@Q}, options $options: status $status, output: $output, stderr: $stderr"
}

@test "user namespace: a submount of a bind stays locked: unmounting it does not show what the host hid below" {
    [[ $(runtime_name) != crun ]] || skip "crun 1.8 binds the source without its submounts in a user namespace: what the host hid below them shows"
    with_userns
    unmount_to_see_below "$BATS_TEST_TMPDIR/locked-src" '["rbind"]'
    # Root of its own user namespace with CAP_SYS_ADMIN there, the container still may not take the host's
    # submount away (the kernel locks every mount a less privileged namespace receives).
    [[ $output != *hidden-by-host* ]]
    [[ $stderr == *"umount"* ]]
}

@test "user namespace: an id-mapped bind of a source with a mount below it is refused (that mount would not be locked)" {
    requires_spec 1.1.0 "id-mapped mounts (mounts[].uidMappings, idmap)"
    requires_idmap "$BATS_TEST_TMPDIR"
    [[ $(runtime_name) != crun ]] || skip "crun 1.8 id-maps the source without its submounts: what the host hid below them shows"
    with_userns
    unmount_to_see_below "$BATS_TEST_TMPDIR/idmap-src" '["rbind", "idmap"]'
    [[ $output != *hidden-by-host* ]]
    if is_taurun; then
        [ "$status" -ne 0 ]
        [[ $stderr == *"mounts["*"].options"*"mount below it"*idmap* ]]
    fi
}

@test "user namespace: the same refusal when the source's path has a tab, newline or backslash (mountinfo escapes them)" {
    requires_spec 1.1.0 "id-mapped mounts (mounts[].uidMappings, idmap)"
    requires_idmap "$BATS_TEST_TMPDIR"
    [[ $(runtime_name) != crun ]] || skip "crun 1.8 id-maps the source without its submounts: what the host hid below them shows"
    with_userns
    # /proc/self/mountinfo writes these bytes as \011, \012 and \134: a guard that compares the source's path with
    # the escaped mount point below it finds no mount there and lets the bind through, so the container can unmount
    # the host's tmpfs (an id-mapped tree is made outside its user namespace: nothing locks it) and read what it hid.
    local name
    for name in $'idmap\tsrc' $'idmap\nsrc\\x'; do
        unmount_to_see_below "$BATS_TEST_TMPDIR/$name" '["rbind", "idmap"]'
        [[ $output != *hidden-by-host* ]]
        if is_taurun; then
            [ "$status" -ne 0 ]
            [[ $stderr == *"mounts["*"].options"*"mount below it"*idmap* ]]
        fi
    done
}

@test "user namespace: idmap shows a bind's owners through the container's mapping; explicit mappings too" {
    requires_idmap "$BATS_TEST_TMPDIR"
    with_userns
    local src=$BATS_TEST_TMPDIR/owned
    mkdir -p "$src"
    chmod 0755 "$src"
    touch "$src/root-file" "$src/other-file"
    chown 0:0 "$src/root-file"
    chown 1:2 "$src/other-file"
    cfg '.mounts += [{destination: "/mapped", type: "bind", source: $s, options: ["rbind", "idmap"]},
                     {destination: "/explicit", type: "bind", source: $s, options: ["bind"],
                      uidMappings: [{containerID: 0, hostID: 100001, size: 10}],
                      gidMappings: [{containerID: 0, hostID: 100002, size: 10}]},
                     {destination: "/plain", type: "bind", source: $s, options: ["rbind"]}]' --arg s "$src"
    set_args sh -c 'stat -c "%n %u:%g" /mapped/root-file /mapped/other-file /explicit/root-file /plain/root-file
                    echo new > /mapped/made-inside'
    run --separate-stderr rt run --bundle "$BUNDLE" "$(new_id)"
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "/mapped/root-file 0:0" ]
    [ "${lines[1]}" = "/mapped/other-file 1:2" ]
    # On disk 0 shows as host 100001/100002, which the container's map (0 -> 100000) sees as 1:2.
    [ "${lines[2]}" = "/explicit/root-file 1:2" ]
    # Without idmap the host's root is unmapped inside: the overflow id.
    [ "${lines[3]}" = "/plain/root-file 65534:65534" ]
    # What the container's root writes through the id-mapped mount belongs to the host's root.
    [ "$(stat -c %u:%g "$src/made-inside")" = 0:0 ]
}

@test "idmap: refused on a non-bind mount and without any mapping to borrow, naming the field" {
    requires_spec 1.1.0 "id-mapped mounts (mounts[].uidMappings, idmap)"
    cfg '.mounts += [{destination: "/t", type: "tmpfs", source: "tmpfs", options: ["idmap"]}]'
    run --separate-stderr rt run --bundle "$BUNDLE" "$(new_id)"
    [ "$status" -ne 0 ]
    if is_taurun; then [[ $stderr == *"mounts["*"].options"*idmap* ]]; fi
    cfg '.mounts |= map(select(.destination != "/t")) | .mounts += [{destination: "/b", type: "bind", source: "/tmp", options: ["rbind", "idmap"]}]'
    run --separate-stderr rt run --bundle "$BUNDLE" "$(new_id)"
    [ "$status" -ne 0 ]
    if is_taurun; then [[ $stderr == *"mounts["*"].options"*"user namespace"* ]]; fi
    assert_no_leftovers
}

@test "time namespace: new when configured, the host's when not" {
    requires_namespace time
    [ "$(ns_inside time)" = "$(ns_of time)" ]
    add_ns time
    local inside
    inside=$(ns_inside time)
    [ "$inside" != "$(ns_of time)" ]
}

@test "namespaces not in the config are the host's (cgroup, user, time)" {
    local file
    for file in cgroup user time; do
        [ -e "/proc/self/ns/$file" ] || continue
        [ "$(ns_inside "$file")" = "$(ns_of "$file")" ]
    done
}

@test "join: network namespace by path (ip netns)" {
    NETNS_NAME="trt-$TEST_MARK"
    ip netns add "$NETNS_NAME"
    ip netns exec "$NETNS_NAME" ip link set lo up
    add_ns network "/run/netns/$NETNS_NAME"
    local want
    want=$(ip netns exec "$NETNS_NAME" readlink /proc/self/ns/net)
    [ "$(ns_inside net)" = "$want" ]
    [ "$want" != "$(ns_of net)" ]
}

@test "join: uts namespace by path keeps the hostname set there" {
    hold_ns uts --uts
    nsenter --target "$HOLDER" --uts hostname joined-host
    add_ns uts "/proc/$HOLDER/ns/uts"
    cfg 'del(.hostname)'
    set_args sh -c 'readlink /proc/self/ns/uts; hostname'
    run --separate-stderr rt run --bundle "$BUNDLE" "$(new_id)"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$(ns_of uts "$HOLDER")" ]
    [ "${lines[1]}" = joined-host ]
}

@test "join: ipc namespace by path" {
    hold_ns ipc --ipc
    add_ns ipc "/proc/$HOLDER/ns/ipc"
    [ "$(ns_inside ipc)" = "$(ns_of ipc "$HOLDER")" ]
}

@test "join: cgroup namespace by path" {
    hold_ns cgroup --cgroup
    add_ns cgroup "/proc/$HOLDER/ns/cgroup"
    [ "$(ns_inside cgroup)" = "$(ns_of cgroup "$HOLDER")" ]
}

@test "join: pid namespace by path (another container's)" {
    set_args sleep 100
    local first
    first=$(new_id)
    rt run --detach --bundle "$BUNDLE" "$first" < /dev/null > /dev/null 2>&1
    local pid
    pid=$(rt state "$first" | jq -r .pid)

    local b2="$BATS_TEST_TMPDIR/b2"
    make_bundle "$b2"
    CFG_FILE="$b2/config.json" cfg '.linux.namespaces |= map(if .type == "pid" then .path = $p else . end)
        | .process.args = ["sh", "-c", "readlink /proc/self/ns/pid; ps -o pid,comm"]' --arg p "/proc/$pid/ns/pid"
    run --separate-stderr rt run --bundle "$b2" "$(new_id)"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$(ns_of pid "$pid")" ]
}

# A user namespace with root mapped to 100000, held by a sleeping process ($HOLDER).
hold_userns() {
    unshare --user sleep 300 3>&- &
    HOLDER=$!
    BG_PIDS+=("$HOLDER")
    local tries=100
    while [[ $(ns_of user "$HOLDER") == "$(ns_of user)" ]] && (( tries-- > 0 )); do sleep 0.02; done
    echo "0 100000 65536" > "/proc/$HOLDER/uid_map"
    echo "0 100000 65536" > "/proc/$HOLDER/gid_map"
}

join_userns_and_check() {
    set_args sh -c 'readlink /proc/self/ns/user; cat /proc/self/uid_map; id -u; hostname'
    run --separate-stderr rt run --bundle "$BUNDLE" "$(new_id)"
    echo "$stderr"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$(ns_of user "$HOLDER")" ]
    [ "$(echo ${lines[1]})" = "0 100000 65536" ]
    [ "${lines[2]}" = 0 ]
    # The new UTS namespace belongs to the joined user namespace, so the hostname could be set.
    [ "${lines[3]}" = taurun-test ]
}

@test "join: user namespace by path, config repeating its mappings (what containerd and CRI-O send)" {
    hold_userns
    with_userns
    add_ns user "/proc/$HOLDER/ns/user"
    join_userns_and_check
}

@test "join: user namespace by path without mappings in the config" {
    skip_on_runc_1_1 "runc 1.1 requires uid/gid mappings even when joining a user namespace (runc 1.2 reads them)"
    hold_userns
    with_userns
    cfg 'del(.linux.uidMappings) | del(.linux.gidMappings)'
    add_ns user "/proc/$HOLDER/ns/user"
    join_userns_and_check
}

@test "join: time namespace by path" {
    requires_namespace time
    unshare --time --fork sleep 300 3>&- &
    local unshare_pid=$!
    BG_PIDS+=("$unshare_pid")
    # The sleeping child is in the new time namespace (unshare --time affects children only).
    local tries=100 child=""
    while [[ -z $child ]] && (( tries-- > 0 )); do
        child=$(pgrep -P "$unshare_pid" sleep || true)
        sleep 0.02
    done
    [ -n "$child" ]
    BG_PIDS+=("$child")
    [ "$(ns_of time "$child")" != "$(ns_of time)" ]
    add_ns time "/proc/$child/ns/time"
    [ "$(ns_inside time)" = "$(ns_of time "$child")" ]
}
