#!/usr/bin/env bats
# Rootless: the runtime run by an ordinary user (no capabilities, a /etc/subuid + /etc/subgid range) on a
# `spec --rootless` bundle, as runc and crun are. A throwaway user is made for this file and removed after it.
# Runtime-agnostic (RUNTIME=runc and RUNTIME=crun pass too); what only taurun promises says so.

load helpers

BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-120}

setup_file() {
    export RL_USER="trl$$"
    export RL_BASE
    RL_BASE=$(mktemp -d /tmp/taurun-rootless.XXXXXX)
    chmod 0755 "$RL_BASE"
    # useradd gives the user a subordinate id range from /etc/login.defs (SUB_UID_MIN...); userdel takes it away.
    useradd --create-home --home-dir "$RL_BASE/home" --shell /bin/sh "$RL_USER"
    export RL_UID RL_GID RL_XDG
    RL_UID=$(id -u "$RL_USER")
    RL_GID=$(id -g "$RL_USER")
    RL_XDG="/run/user/$RL_UID"
    mkdir -p "$RL_XDG"
    chown "$RL_USER:$RL_USER" "$RL_XDG"
    chmod 0700 "$RL_XDG"
}

teardown_file() {
    pkill -9 -u "$RL_USER" 2>/dev/null || true
    sleep 0.2
    userdel --remove "$RL_USER" 2>/dev/null || true
    rm -rf "$RL_XDG" "$RL_BASE"
}

setup() {
    command -v newuidmap > /dev/null || skip "newuidmap (Debian package uidmap) is not installed"
    TEST_MARK="$$-$RANDOM$RANDOM-${BATS_SUITE_TEST_NUMBER:-0}"
    TEST_IDS=()
    BG_PIDS=()
    BUNDLE="$RL_BASE/home/bundle-$BATS_SUITE_TEST_NUMBER"
    # The user's own state root, where the runtime puts it by default ($XDG_RUNTIME_DIR/<runtime>).
    RL_ROOT="$RL_XDG/$(runtime_name)"
    make_bundle "$BUNDLE"
    # What `runc spec --rootless` changes: a user namespace mapping the user to root, no network namespace, /sys
    # bound from the host, no gid= on devpts (the tty group is not mapped), and no cgroup limits.
    cfg '.linux.namespaces = [{type: "pid"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}, {type: "user"}]
        | .linux.uidMappings = [{containerID: 0, hostID: $uid, size: 1}]
        | .linux.gidMappings = [{containerID: 0, hostID: $gid, size: 1}]
        | .mounts |= map(if .destination == "/sys" then {destination: "/sys", type: "none", source: "/sys",
                                                       options: ["rbind", "nosuid", "noexec", "nodev", "ro"]}
                         elif .type == "devpts" then .options |= map(select(startswith("gid=") | not))
                         else . end)
        | del(.linux.resources)' --argjson uid "$RL_UID" --argjson gid "$RL_GID"
    chown -R "$RL_USER:$RL_USER" "$BUNDLE"
}

teardown() {
    local id
    for id in "${TEST_IDS[@]}"; do
        as_user "$RUNTIME" delete --force "$id" > /dev/null 2>&1 || true
    done
    # Nothing of the user's may outlive a test: no process, no state entry.
    local left
    # (Zombies are not counted: a host whose PID 1 does not reap leaves those of every runtime. Nor is rootless
    # Podman's pause process, which holds the user's namespace for as long as the user uses Podman: podman itself, or
    # `catatonit -P` where catatonit is installed, which Podman then execs for it.)
    left=$(ps -u "$RL_USER" -o pid=,stat=,args= 2>/dev/null \
        | awk '$2 !~ /^Z/ && $3 != "podman" && !($3 == "catatonit" && $4 == "-P")' || true)
    [[ -z $left ]] || { pkill -9 -u "$RL_USER"; echo "processes left: $left" >&2; return 1; }
    for id in "${TEST_IDS[@]}"; do
        [[ ! -e $RL_ROOT/$id ]] || { echo "state left: $RL_ROOT/$id" >&2; return 1; }
    done
}

# Runs a command as the throwaway user with a login-like environment (no root, no capabilities).
as_user() {
    runuser -u "$RL_USER" -- env -i HOME="$RL_BASE/home" XDG_RUNTIME_DIR="$RL_XDG" PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
        "$@"
}

# The runtime as the user, from the bundle directory, with stdout/stderr in $output/$stderr (see rt_files).
urt() {
    local out="$BATS_TEST_TMPDIR/urt.out" err="$BATS_TEST_TMPDIR/urt.err"
    status=0
    ( cd "$BUNDLE" && timeout -k 5 60 runuser -u "$RL_USER" -- env -i HOME="$RL_BASE/home" XDG_RUNTIME_DIR="$RL_XDG" \
        PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin "$RUNTIME" "$@" < /dev/null > "$out" 2> "$err" 3>&- ) || status=$?
    output=$(cat "$out")
    stderr=$(cat "$err")
    mapfile -t lines < "$out"
}

new_user_id() {
    local id="rl-$TEST_MARK-${#TEST_IDS[@]}"
    TEST_IDS+=("$id")
    echo "$id"
}

wait_user_status() {
    local id=$1 want=$2 tries=100
    while (( tries-- > 0 )); do
        urt state "$id"
        [[ $(jq -r .status <<< "$output" 2>/dev/null) == "$want" ]] && return 0
        sleep 0.05
    done
    echo "container $id never reached $want (last: $output $stderr)" >&2
    return 1
}

@test "rootless: run maps the user to root inside, passes the exit code, keeps state in \$XDG_RUNTIME_DIR" {
    set_args sh -c 'id -u; cat /proc/self/uid_map; exit 7'
    chown "$RL_USER" "$BUNDLE/config.json"
    id=$(new_user_id)
    urt run "$id"
    echo "$output $stderr"
    [ "$status" -eq 7 ]
    [ "${lines[0]}" = 0 ]
    [ "$(echo ${lines[1]})" = "0 $RL_UID 1" ]
    # The state root the runtime chose is the user's own directory.
    [ -d "$RL_ROOT" ]
    [ "$(stat -c %u "$RL_ROOT")" = "$RL_UID" ]
    # Seen from the host the process ran as the user, not as root: nothing it made belongs to root.
    set_args sh -c 'touch /tmp/made; sleep 0.3'
    chown "$RL_USER" "$BUNDLE/config.json"
    urt run "$(new_user_id)"
    [ "$status" -eq 0 ]
}

@test "rootless: create, state, start, list, exec, kill and delete" {
    set_args sleep 300
    chown "$RL_USER" "$BUNDLE/config.json"
    id=$(new_user_id)
    urt create "$id"
    echo "$stderr"
    [ "$status" -eq 0 ]
    urt state "$id"
    [ "$(jq -r .status <<< "$output")" = created ]
    local pid
    pid=$(jq -r .pid <<< "$output")
    [ "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" = "$RL_UID" ]
    urt start "$id"
    [ "$status" -eq 0 ]
    wait_user_status "$id" running
    urt list
    [[ $output == *"$id"*running* ]]
    urt exec "$id" sh -c 'id -u; exit 4'
    [ "$status" -eq 4 ]
    [ "$output" = 0 ]
    urt kill "$id" KILL
    [ "$status" -eq 0 ]
    wait_user_status "$id" stopped
    urt delete "$id"
    [ "$status" -eq 0 ]
    [ ! -e "$RL_ROOT/$id" ]
}

@test "rootless: more than one id mapped through newuidmap/newgidmap from the user's subordinate range" {
    local subuid subgid
    subuid=$(awk -F: -v u="$RL_USER" '$1 == u { print $2; exit }' /etc/subuid)
    subgid=$(awk -F: -v u="$RL_USER" '$1 == u { print $2; exit }' /etc/subgid)
    [[ -n $subuid && -n $subgid ]] || skip "useradd gave $RL_USER no subordinate ids"
    cfg '.linux.uidMappings = [{containerID: 0, hostID: $uid, size: 1}, {containerID: 1, hostID: $su, size: 65536}]
        | .linux.gidMappings = [{containerID: 0, hostID: $gid, size: 1}, {containerID: 1, hostID: $sg, size: 65536}]' \
        --argjson uid "$RL_UID" --argjson gid "$RL_GID" --argjson su "$subuid" --argjson sg "$subgid"
    # The process runs as 1000:1000, an id only the subordinate range maps (setresuid fails on an unmapped id).
    cfg '.process.user = {uid: 1000, gid: 1000}'
    set_args sh -c 'cat /proc/self/uid_map /proc/self/gid_map | wc -l; echo $(id -u):$(id -g)'
    chown "$RL_USER" "$BUNDLE/config.json"
    urt run "$(new_user_id)"
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 4 ]
    [ "${lines[1]}" = 1000:1000 ]
}

@test "rootless: a bundle in a 0700 directory of the user's, the container's root a subordinate id" {
    is_taurun || skip "$(runtime_name) looks the rootfs up as the container's root, which the 0700 parent stops"
    local subuid subgid
    subuid=$(awk -F: -v u="$RL_USER" '$1 == u { print $2; exit }' /etc/subuid)
    subgid=$(awk -F: -v u="$RL_USER" '$1 == u { print $2; exit }' /etc/subgid)
    [[ -n $subuid && -n $subgid ]] || skip "useradd gave $RL_USER no subordinate ids"
    # The container's root is not the user: it may not enter the user's 0700 directory holding the bundle.
    cfg '.linux.uidMappings = [{containerID: 0, hostID: $su, size: 65536}]
        | .linux.gidMappings = [{containerID: 0, hostID: $sg, size: 65536}]' --argjson su "$subuid" --argjson sg "$subgid"
    set_args sh -c 'id -u; ls /bin/busybox'
    local private=$RL_BASE/home/private
    mkdir -p "$private"
    mv "$BUNDLE" "$private/bundle"
    BUNDLE=$private/bundle
    chown "$RL_USER:$RL_USER" "$private"
    chmod 0700 "$private"
    urt run "$(new_user_id)"
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 0 ]
    [ "${lines[1]}" = /bin/busybox ]
}

@test "rootless: a mapping outside the user's subordinate range is refused and leaves nothing" {
    cfg '.linux.uidMappings = [{containerID: 0, hostID: $uid, size: 1}, {containerID: 1, hostID: 1, size: 10}]' \
        --argjson uid "$RL_UID"
    set_args true
    chown "$RL_USER" "$BUNDLE/config.json"
    id=$(new_user_id)
    urt run "$id"
    echo "$stderr"
    [ "$status" -ne 0 ]
    if is_taurun; then [[ $stderr == *linux.uidMappings* ]]; fi
    [ ! -e "$RL_ROOT/$id" ]
}

@test "rootless: a cgroup limit the user cannot apply is refused, naming the field; none asked runs" {
    [[ -d /sys/fs/cgroup/memory ]] || skip "no cgroup v1 memory hierarchy: the user may own a delegated cgroup2 subtree"
    ! as_user test -w /sys/fs/cgroup/memory || skip "the user may write the memory hierarchy here"
    [[ $(runtime_name) != crun ]] || skip "crun 1.8 runs the container without the limit (it drops cgroup errors rootless)"
    cfg '.linux.resources = {memory: {limit: 67108864}}'
    set_args true
    chown "$RL_USER" "$BUNDLE/config.json"
    id=$(new_user_id)
    urt run "$id"
    echo "$stderr"
    [ "$status" -ne 0 ]
    if is_taurun; then
        [[ $stderr == *linux.resources.memory* ]]
        [ "$(echo "$stderr" | wc -l)" -eq 1 ]
    fi
    [ ! -e "$RL_ROOT/$id" ]
    # Device rules alone need no cgroup of the user's own (runc ignores them rootless; the kernel's checks stay).
    cfg '.linux.resources = {devices: [{allow: false, access: "rwm"}]}'
    chown "$RL_USER" "$BUNDLE/config.json"
    urt run "$(new_user_id)"
    echo "$stderr"
    [ "$status" -eq 0 ]
}

@test "rootless: nothing weaker inside: no-new-privileges, masked paths, no host capabilities, a session of its own" {
    set_args sh -c 'grep NoNewPrivs /proc/self/status; cat /proc/timer_list | wc -c; cut -d" " -f6 /proc/1/stat;
                   echo 1 > /proc/sys/kernel/ctrl-alt-del && echo WROTE'
    cfg '.process.noNewPrivileges = true'
    chown "$RL_USER" "$BUNDLE/config.json"
    urt run "$(new_user_id)"
    echo "$output $stderr"
    [ "${lines[0]}" = "NoNewPrivs:	1" ]
    [ "${lines[1]}" = 0 ]
    # The container's init leads its own session (setsid): the caller's session is not visible in its pid namespace.
    [ "${lines[2]}" = 1 ]
    # Root inside, with capabilities over the user's namespace only: the host's kernel settings stay out of reach.
    [[ $output != *WROTE* ]]
}

@test "rootless: another user's containers and state are out of reach" {
    # root's container, in root's state directory.
    local root_state=$RL_BASE/root-state root_bundle=$RL_BASE/root-bundle
    mkdir -p "$root_state"
    chmod 0700 "$root_state"
    make_bundle "$root_bundle"
    CFG_FILE=$root_bundle/config.json cfg '.process.args = ["sleep", "300"] | .process.terminal = false'
    "$RUNTIME" --root "$root_state" run --detach --bundle "$root_bundle" rootsbox < /dev/null > /dev/null 2>&1
    urt --root "$root_state" kill rootsbox KILL
    local kill_status=$status
    urt --root "$root_state" delete --force rootsbox
    local delete_status=$status
    urt --root "$root_state" list
    local list_status=$status
    [ "$("$RUNTIME" --root "$root_state" state rootsbox | jq -r .status)" = running ]
    "$RUNTIME" --root "$root_state" delete --force rootsbox
    [ "$kill_status" -ne 0 ]
    [ "$delete_status" -ne 0 ]
    [ "$list_status" -ne 0 ]
}

# Rootless Podman with this runtime, as the user: podman runs the runtime as root of the user's own namespace.
upodman() {
    local out="$BATS_TEST_TMPDIR/up.out" err="$BATS_TEST_TMPDIR/up.err"
    status=0
    ( cd "$RL_BASE/home" && timeout -k 5 90 runuser -u "$RL_USER" -- env -i HOME="$RL_BASE/home" XDG_RUNTIME_DIR="$RL_XDG" \
        PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin podman --runtime "$RUNTIME" "$@" < /dev/null > "$out" 2> "$err" 3>&- ) \
        || status=$?
    output=$(cat "$out")
    stderr=$(cat "$err")
}

requires_podman_image() {
    command -v podman > /dev/null || skip "podman is not installed"
    upodman image exists localhost/busybox-rootless
    (( status == 0 )) && return 0
    # The busybox rootfs as an image of the user's own (no pulls here).
    tar -C "$ROOTFS_SRC" -c . | ( cd "$RL_BASE/home" && runuser -u "$RL_USER" -- env -i HOME="$RL_BASE/home" XDG_RUNTIME_DIR="$RL_XDG" \
        PATH=/usr/bin:/bin podman import - localhost/busybox-rootless > /dev/null 2>&1 ) || skip "podman import failed as $RL_USER"
}

@test "rootless podman: run --rm passes output and exit code" {
    requires_podman_image
    upodman run --rm --network none localhost/busybox-rootless sh -c 'echo hello from $(id -u); exit 3'
    echo "$output $stderr"
    [ "$status" -eq 3 ]
    [ "$output" = "hello from 0" ]
    [[ $stderr != *warning* ]]
}

@test "rootless podman: run -d, exec, stop and rm" {
    requires_podman_image
    upodman run -d --name rl-d --network none localhost/busybox-rootless sleep 300
    echo "$stderr"
    [ "$status" -eq 0 ]
    upodman exec rl-d sh -c 'echo inside; exit 5'
    [ "$status" -eq 5 ]
    [ "$output" = inside ]
    upodman stop -t 1 rl-d
    [ "$status" -eq 0 ]
    upodman rm rl-d
    [ "$status" -eq 0 ]
    upodman ps -a --format '{{.Names}}'
    [[ $output != *rl-d* ]]
}

@test "rootless podman: run -it gives a terminal; --uidmap maps from the user's subordinate range" {
    requires_podman_image
    command -v script > /dev/null || skip "script(1) is not installed"
    local out
    # script(1) stops at the end of its stdin: keep one open (bats' own may be at its end) until podman is done.
    out=$(cd "$RL_BASE/home" && timeout 60 runuser -u "$RL_USER" -- env -i HOME="$RL_BASE/home" XDG_RUNTIME_DIR="$RL_XDG" \
        PATH=/usr/bin:/bin script -qec "podman --runtime $RUNTIME run -it --rm --network none localhost/busybox-rootless tty" /dev/null \
        2>&1 < <(sleep 20) 3>&-) || true
    echo "podman run -it: $out"
    [[ $out == */dev/pts/0* ]]
    upodman run --rm --network none --uidmap 0:1:1000 --gidmap 0:1:1000 localhost/busybox-rootless cat /proc/self/uid_map
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    [ "$(echo $output)" = "0 1 1000" ]
}
