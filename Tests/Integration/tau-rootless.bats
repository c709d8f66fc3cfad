#!/usr/bin/env bats
# Tau apps without root (issue 16, item 4): an ordinary user (no capabilities, a /etc/subuid + /etc/subgid range)
# converts and runs their own apps with taurun. State, grants and homes in the user's own data directory, host ids
# from the user's own subordinate range, the same seccomp filter and security monitor, the user's own audit log;
# what needs root is left out with one line and an audit record each, or refused when the manifest requires it.
# A throwaway user is made for this file and removed after it, as in rootless.bats. TAURUN converts and RUNTIME runs
# (both taurun: the security monitor and the user's audit log are taurun's).

bats_require_minimum_version 1.5.0

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
RUNTIME=${RUNTIME:-$REPO_ROOT/.build/release/taurun}
TAURUN=${TAURUN:-$REPO_ROOT/.build/release/taurun}

BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-120}

setup_file() {
    [[ $(id -u) == 0 ]] || skip "making the throwaway user needs root"
    [[ $(basename "$RUNTIME") == taurun* ]] || skip "Tau apps run rootless under taurun (its monitor, the user's audit log)"
    command -v newuidmap > /dev/null && command -v getfacl > /dev/null || skip "needs newuidmap (uidmap) and getfacl (acl)"
    export ROOTFS=${ROOTFS:-$REPO_ROOT/build/rootfs}
    [[ -x $ROOTFS/bin/busybox ]] || skip "no busybox rootfs at $ROOTFS (make rootfs)"
    export TU_USER="ttau$$" TU_GROUP="tcam$$"
    TU_BASE=$(mktemp -d /tmp/taurun-tau-rootless.XXXXXX)
    chmod 0755 "$TU_BASE"
    export TU_BASE TU_HOME="$TU_BASE/home"
    # useradd gives the user a subordinate id range from /etc/login.defs (SUB_UID_MIN...); userdel takes it away.
    useradd --create-home --home-dir "$TU_HOME" --shell /bin/sh "$TU_USER"
    # The runtime resolves the app's rootfs skeleton (in the user's data directory) as the app's unprivileged root.
    chmod 0755 "$TU_HOME"
    export TU_UID TU_XDG TU_DATA="$TU_HOME/.local/share/taurun"
    TU_UID=$(id -u "$TU_USER")
    TU_XDG="/run/user/$TU_UID"
    mkdir -p "$TU_XDG"
    chown "$TU_USER:$TU_USER" "$TU_XDG"
    chmod 0700 "$TU_XDG"
    export TU_SUBUID
    TU_SUBUID=$(awk -F: -v u="$TU_USER" '$1 == u { print $2 ":" $3; exit }' /etc/subuid)
    [[ -n $TU_SUBUID ]] || skip "useradd gave $TU_USER no subordinate ids"
}

teardown_file() {
    [[ -n ${TU_USER:-} ]] || return 0
    pkill -9 -u "$TU_USER" 2>/dev/null || true
    sleep 0.2
    userdel --remove "$TU_USER" 2>/dev/null || true
    getent group "$TU_GROUP" > /dev/null && groupdel "$TU_GROUP"
    rm -rf "$TU_XDG" "$TU_BASE"
}

teardown() {
    # Nothing of the user's may outlive a test (zombies aside: a host whose PID 1 does not reap keeps those).
    local left
    left=$(ps -u "$TU_USER" -o pid=,stat=,args= 2>/dev/null | awk '$2 !~ /^Z/' || true)
    [[ -z $left ]] || { pkill -9 -u "$TU_USER"; echo "processes left: $left" >&2; return 1; }
}

# as_user COMMAND…: COMMAND as the throwaway user, in their home, with a login-like environment (no root, no
# capabilities, no TAURUN_AUDIT_LOG: the user's own log is the default); $status, $output, $stderr, $lines.
as_user() {
    local out="$BATS_TEST_TMPDIR/u.out" err="$BATS_TEST_TMPDIR/u.err"
    status=0
    ( cd "$TU_HOME" && timeout -k 5 90 runuser -u "$TU_USER" -- env -i HOME="$TU_HOME" XDG_RUNTIME_DIR="$TU_XDG" \
        PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin "$@" < /dev/null > "$out" 2> "$err" 3>&- ) || status=$?
    output=$(cat "$out")
    stderr=$(cat "$err")
    mapfile -t lines < "$out"
}

# probe BUNDLE SCRIPT: runs SCRIPT with /bin/sh in the user's BUNDLE (only process.args changed), as the user.
probe() {
    local bundle="$TU_HOME/$1" id="tau-rl-$$-$RANDOM"
    jq --arg s "$2" '.process.args = ["/bin/sh", "-c", $s]' "$bundle/config.json" > "$bundle/config.json.new"
    mv "$bundle/config.json.new" "$bundle/config.json"
    chown "$TU_USER:$TU_USER" "$bundle/config.json"
    as_user "$RUNTIME" run --bundle "$bundle" "$id"
}

base_of() {
    jq -r '.annotations["org.tauos.app.host_id_base"]' "$TU_HOME/$1/config.json"
}

# An app that requires its AppArmor profile (require_lsm = true), in the user's home.
make_strict() {
    mkdir -p "$TU_HOME/strict-src"
    printf 'id = "org.tauos.strict"\ncommand = ["/bin/sh"]\nrootfs = "%s"\nrequire_lsm = true\n' "$ROOTFS" > "$TU_HOME/strict-src/tau.toml"
    chown -R "$TU_USER:$TU_USER" "$TU_HOME/strict-src"
}

@test "rootless tau: the user converts hello into their own data directory, with host ids from their subordinate range" {
    # The user's audit log comes first here (a refused convert writes a policy-denial record) and makes the data
    # directory: traversable above the log's own directory, which convert then opens to traversal too.
    make_strict
    as_user "$TAURUN" convert "$TU_HOME/strict-src/tau.toml" --bundle "$TU_HOME/strict"
    [ "$status" -eq 69 ]
    [ "$(stat -c %a "$TU_HOME/.local" "$TU_HOME/.local/share" "$TU_DATA" | xargs)" = "711 711 750" ]
    as_user "$TAURUN" convert "$REPO_ROOT/bundles/hello/tau.toml" --bundle "$TU_HOME/hello"
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    [ "$(stat -c %a "$TU_DATA")" = 751 ]
    [[ $output == "converted org.tauos.hello into $TU_HOME/hello: granted -; denied -" ]]
    # State in the user's data directory, theirs; nothing of root's touched.
    [ "$(stat -c %U "$TU_DATA" "$TU_DATA/ids.json" "$TU_DATA/apps/org.tauos.hello" | sort -u)" = "$TU_USER" ]
    [ "$(jq -r '.root.path' "$TU_HOME/hello/config.json")" = "$TU_DATA/skeletons/$(basename "$(jq -r .root.path "$TU_HOME/hello/config.json")")" ]
    # 1024 ids of the user's own subordinate range map the container's 0…1023, the same for gids.
    local base=$(base_of hello) start=${TU_SUBUID%%:*} count=${TU_SUBUID##*:}
    (( base >= start && base + 1024 <= start + count ))
    [ "$(jq -c '.linux.uidMappings' "$TU_HOME/hello/config.json")" = "[{\"containerID\":0,\"hostID\":$base,\"size\":1024}]" ]
    [ "$(jq -c '.linux.gidMappings' "$TU_HOME/hello/config.json")" = "[{\"containerID\":0,\"hostID\":$base,\"size\":1024}]" ]
    # The same seccomp filter as root's convert of the same manifest.
    "$TAURUN" convert --state-dir "$TU_BASE/root-state" "$REPO_ROOT/bundles/hello/tau.toml" --bundle "$TU_BASE/root-hello" < /dev/null
    cmp "$TU_HOME/hello/tau/seccomp.json" "$TU_BASE/root-hello/tau/seccomp.json"
}

@test "rootless tau: hello runs as uid 1000 inside, in a home that is the user's 0700 directory, reachable by the app through its ACL entry" {
    as_user "$TAURUN" convert "$REPO_ROOT/bundles/hello/tau.toml" --bundle "$TU_HOME/hello"
    [ "$status" -eq 0 ]
    as_user "$RUNTIME" run --bundle "$TU_HOME/hello" "hello-$$"
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "hello from uid 1000 in /home/app" ]
    [ "$(echo ${lines[@]:1})" = lo ]
    local home="$TU_DATA/apps/org.tauos.hello/home" app=$(( $(base_of hello) + 1000 ))
    # The user's own directory: owner and "other" rwx/---, the group entry --- (the group bits ls shows are the mask).
    [ "$(stat -c %U "$home")" = "$TU_USER" ]
    getfacl -cnp "$home" | grep -qx 'user::rwx'
    getfacl -cnp "$home" | grep -qx 'group::---'
    getfacl -cnp "$home" | grep -qx 'other::---'
    getfacl -cnp "$home" | grep -qx "user:$app:rwx"
    getfacl -cnp "$home" | grep -qx "default:user:$TU_UID:rwx"
    # What the app writes there is its host uid's (not root's, not the user's), and the user opens it.
    probe hello 'id -u; echo written-by-app > "$HOME/note"; echo t > "$TMPDIR/t" && echo tmp-ok'
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    [ "${lines[*]}" = "1000 tmp-ok" ]
    [ "$(stat -c %u "$home/note")" = "$app" ]
    as_user cat "$home/note"
    [ "$output" = written-by-app ]
    # Another user (and so every other app's host uid) gets nothing.
    run setpriv --reuid=65534 --regid=65534 --clear-groups ls "$home"
    [ "$status" -ne 0 ]
}

@test "rootless tau: a violation stops the app, taurun says why, and the user's own audit log has the record" {
    as_user "$TAURUN" convert "$REPO_ROOT/bundles/offline/tau.toml" --bundle "$TU_HOME/offline"
    [ "$status" -eq 0 ]
    as_user "$RUNTIME" run --bundle "$TU_HOME/offline" "offline-$$"
    echo "$output $stderr"
    [ "$status" -eq 137 ]
    [[ $stderr == *'org.tauos.offline terminated: socket(AF_INET, SOCK_STREAM) needs permission "network", which is not granted'* ]]
    [[ $output != *"not reached"* ]]
    run jq -r 'select(.event == "violation") | "\(.app) \(.permission) \(.action)"' "$TU_DATA/audit.jsonl"
    [ "$output" = "org.tauos.offline network terminated" ]
    as_user "$TAURUN" audit --app org.tauos.offline
    [[ $output == *"terminated: socket(AF_INET, SOCK_STREAM)"* ]]
}

@test "rootless tau: network and filesystem granted: its own network namespace with a route out, and the user's own folder read and written" {
    mkdir -p "$TU_HOME/data" "$TU_HOME/netfs-src"
    echo "from the user" > "$TU_HOME/data/before"
    chmod 700 "$TU_HOME/data"
    chown -R "$TU_USER:$TU_USER" "$TU_HOME/data"
    printf 'id = "org.tauos.netfs"\ncommand = ["/bin/sh"]\nrootfs = "%s"\n[permissions]\nnetwork = true\nfilesystem = { mode = "rw", paths = ["%s"] }\n' \
        "$ROOTFS" "$TU_HOME/data" > "$TU_HOME/netfs-src/tau.toml"
    chown -R "$TU_USER:$TU_USER" "$TU_HOME/netfs-src"
    as_user "$TAURUN" convert "$TU_HOME/netfs-src/tau.toml" --bundle "$TU_HOME/netfs" --grant network --grant filesystem:rw
    echo "$output $stderr"
    if ! runuser -u "$TU_USER" -- sh -c 'test -r /dev/net/tun && test -w /dev/net/tun'; then
        # The route's slirp4netns runs as the user and opens /dev/net/tun: refused at convert, with one line.
        [ "$status" -ne 0 ]
        [[ $stderr == *"E_SANDBOX_UNAVAILABLE: network: "*"/dev/net/tun readable and writable by you"* ]]
        skip "/dev/net/tun is $(stat -c %A /dev/net/tun) here, so $TU_USER's apps get no route (convert refuses network, as checked)"
    fi
    [ "$status" -eq 0 ]
    as_user readlink /proc/self/ns/net
    local host_net=$output
    # The route's slirp4netns is the user's own: it joins the app's user namespace, which the user owns.
    probe netfs "readlink /proc/self/ns/net; cat $TU_HOME/data/before; echo from-app > $TU_HOME/data/from-app && echo wrote;
                 nc -w 1 127.0.0.1 1 < /dev/null; echo socket-allowed; ip -4 -o addr show tap0 | grep -o 'inet [0-9./]*'"
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" != "$host_net" ]
    [ "${lines[4]}" = "inet 10.0.2.100/24" ]
    [ "${lines[1]}" = "from the user" ]
    [ "${lines[2]}" = wrote ]
    [ "${lines[3]}" = socket-allowed ]
    [ "$(stat -c %u "$TU_HOME/data/from-app")" = $(( $(base_of netfs) + 1000 )) ]
    # Not granted, the same app has its own network namespace with only lo, and no folder. Revoking takes the app's
    # entries away from what the user owns, and leaves the file the app made (its own) as it is.
    as_user "$TAURUN" revoke org.tauos.netfs network filesystem:ro
    echo "$stderr"
    [ "$status" -eq 0 ]
    as_user "$TAURUN" convert "$TU_HOME/netfs-src/tau.toml" --bundle "$TU_HOME/netfs"
    [ "$status" -eq 0 ]
    ! getfacl -cnp "$TU_HOME/data" | grep -q "user:$(( $(base_of netfs) + 1000 )):"
    probe netfs "readlink /proc/self/ns/net; ls /sys/class/net; ls $TU_HOME/data 2>&1 | head -n 1"
    [ "${lines[0]}" != "$host_net" ]
    [ "${lines[1]}" = lo ]
    [[ ${lines[2]} == *"No such file or directory"* ]]
}

@test "rootless tau: a FIFO the user planted where convert looks for PulseAudio, PipeWire, Wayland or X11 is not bound into the app" {
    local number=$((700 + RANDOM % 200)) made_x11=""
    local x11="/tmp/.X11-unix/X$number" session="" bound="" inside=""
    [[ ! -e $x11 ]] || skip "$x11 exists"
    [[ -d /tmp/.X11-unix ]] || { mkdir -m 1777 /tmp/.X11-unix && made_x11=1; }
    mkdir -p "$TU_HOME/sockets-src"
    printf 'id = "org.tauos.sockets"\ncommand = ["/bin/sh"]\nrootfs = "%s"\n[permissions]\naudio = true\ndisplay = true\n' \
        "$ROOTFS" > "$TU_HOME/sockets-src/tau.toml"
    chown -R "$TU_USER:$TU_USER" "$TU_HOME/sockets-src"
    # The user's own runtime directory and /tmp/.X11-unix take FIFOs where the session's servers would listen.
    as_user sh -c "mkdir -p $TU_XDG/pulse && mkfifo $TU_XDG/pulse/native $TU_XDG/pipewire-0 $TU_XDG/wayland-fifo $x11"
    [ "$status" -eq 0 ]
    # Then a real socket at wayland-0: the second convert shows the session was read, and only the socket bound.
    for session in wayland-fifo wayland-0; do
        [[ $session == wayland-fifo ]] || as_user python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$TU_XDG/wayland-0"
        as_user env WAYLAND_DISPLAY="$session" DISPLAY=":$number" "$TAURUN" convert "$TU_HOME/sockets-src/tau.toml" \
            --bundle "$TU_HOME/sockets" --grant audio --grant display
        echo "WAYLAND_DISPLAY=$session: convert status $status, stderr: $stderr"
        [ "$status" -eq 0 ] || break
        bound+=" $(jq -c '[.mounts[] | select(.source | startswith($x) or . == $d) | .source]' --arg x "$TU_XDG" --arg d "$x11" \
            "$TU_HOME/sockets/config.json")"
        probe sockets "for p in /run/user/1000/pulse/native /run/user/1000/pipewire-0 /run/user/1000/wayland-0 $x11; do
                           if [ -p \$p ]; then echo \"fifo \$p\"; elif [ -S \$p ]; then echo \"socket \$p\"; fi
                       done; env | grep -E '^(PULSE_SERVER|WAYLAND_DISPLAY|DISPLAY)=' || true"
        echo "inside: status $status: $output $stderr"
        inside+="$output;"
    done
    rm -f "$x11"
    [[ -z $made_x11 ]] || rmdir /tmp/.X11-unix 2> /dev/null || true
    echo "bound:$bound"
    [ "$bound" = " [] [\"$TU_XDG/wayland-0\"]" ]
    [ "$inside" = ";socket /run/user/1000/wayland-0
WAYLAND_DISPLAY=wayland-0;" ]
}

@test "rootless tau: a folder that is not the user's is refused, before anything is written" {
    mkdir -p "$TU_BASE/roots" "$TU_HOME/other-src"
    printf 'id = "org.tauos.other"\ncommand = ["/bin/sh"]\nrootfs = "%s"\n[permissions]\nfilesystem = { mode = "ro", paths = ["%s"] }\n' \
        "$ROOTFS" "$TU_BASE/roots" > "$TU_HOME/other-src/tau.toml"
    chown -R "$TU_USER:$TU_USER" "$TU_HOME/other-src"
    as_user "$TAURUN" convert "$TU_HOME/other-src/tau.toml" --bundle "$TU_HOME/other" --grant filesystem:ro
    echo "$stderr"
    [ "$status" -eq 77 ]
    [[ $stderr == *"$TU_BASE/roots belongs to uid 0; without root you can give an app only paths of your own"* ]]
    [ ! -e "$TU_HOME/other" ]
    [ ! -e "$TU_DATA/apps/org.tauos.other" ]
    # A data directory the user closed to others: the runtime could not reach the app's rootfs skeleton as the app's
    # unprivileged root, so convert says which directory, and how to open it.
    chmod 700 "$TU_HOME/.local/share"
    as_user "$TAURUN" convert "$REPO_ROOT/bundles/hello/tau.toml" --bundle "$TU_HOME/hello2"
    chmod 711 "$TU_HOME/.local/share"
    echo "$stderr"
    [ "$status" -eq 77 ]
    [[ $stderr == *"$TU_HOME/.local/share (mode 700): the app's unprivileged host uid must be able to traverse it (chmod o+x $TU_HOME/.local/share, or use another directory)"* ]]
    [ ! -e "$TU_HOME/hello2" ]
}

@test "rootless tau: what needs root is left out with one line and one audit record each, explain says which, and require_lsm is refused" {
    mkdir -p "$TU_HOME/notes-data"
    chown "$TU_USER:$TU_USER" "$TU_HOME/notes-data"
    as_user "$TAURUN" explain "$REPO_ROOT/bundles/notes/tau-app.json"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $output == *"rootless (converted without root)"* ]]
    [[ $output == *"without resources.disk (64M): a disk quota is an ext4 image that root loop-mounts"* ]]
    [[ $output == *"without its AppArmor profile taurun-org.tauos.notes: loading a profile into the kernel needs root"* ]]
    as_user "$TAURUN" convert "$REPO_ROOT/bundles/notes/tau-app.json" --bundle "$TU_HOME/notes" --data "$TU_HOME/notes-data" \
        --grant filesystem:rw
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    local said
    said=$(grep -c '^taurun: rootless: org.tauos.notes runs without ' <<< "$stderr")
    [[ $stderr == *"runs without resources.disk (64M)"* ]]
    [ "$(jq -r 'select(.event == "rootless-skipped" and .app == "org.tauos.notes") | .message' "$TU_DATA/audit.jsonl" | wc -l)" -eq "$said" ]
    # The bundle holds none of it: no image, no limits no cgroup of the user's can hold, no profile to apply.
    [ ! -e "$TU_DATA/apps/org.tauos.notes/home.img" ]
    [ "$(jq -r '.process.apparmorProfile // "none"' "$TU_HOME/notes/config.json")" = none ]
    if [[ $stderr == *"resources.memory (256M)"* ]]; then
        [ "$(jq -r '.linux.resources.memory // "none"' "$TU_HOME/notes/config.json")" = none ]
    fi
    # So it runs.
    as_user "$RUNTIME" run --bundle "$TU_HOME/notes" "notes-$$"
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    # A manifest that requires the AppArmor profile is refused: explain says so, convert writes nothing.
    make_strict
    as_user "$TAURUN" explain "$TU_HOME/strict-src/tau.toml"
    [[ $output == *"refused: org.tauos.strict sets require_lsm = true, and loading its AppArmor profile taurun-org.tauos.strict needs root"* ]]
    as_user "$TAURUN" convert "$TU_HOME/strict-src/tau.toml" --bundle "$TU_HOME/strict"
    [ "$status" -eq 69 ]
    [[ $stderr == *"E_SANDBOX_UNAVAILABLE: org.tauos.strict sets require_lsm = true"* ]]
    [ ! -e "$TU_HOME/strict" ]
    [ "$(jq -r '.apps["org.tauos.strict"] // "none"' "$TU_DATA/ids.json")" = none ]
}

@test "rootless tau: uninstall removes the home, a directory the app closed to the user included" {
    as_user "$TAURUN" convert "$REPO_ROOT/bundles/hello/tau.toml" --bundle "$TU_HOME/hello"
    [ "$status" -eq 0 ]
    probe hello 'mkdir -m 700 "$HOME/private" && echo secret > "$HOME/private/f" && chmod 600 "$HOME/private/f" && echo made'
    [ "$output" = made ]
    local home="$TU_DATA/apps/org.tauos.hello/home"
    as_user ls "$home/private"
    [ "$status" -ne 0 ]
    as_user "$TAURUN" uninstall --yes org.tauos.hello
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    [[ $output == "uninstalled org.tauos.hello: removed "*"home $home"* ]]
    [ ! -e "$TU_DATA/apps/org.tauos.hello" ]
    [ ! -e "$TU_HOME/hello" ]
    [ "$(jq -r '.apps["org.tauos.hello"] // "none"' "$TU_DATA/ids.json")" = none ]
}

@test "rootless tau: an undecided camera under ask is handed over by the user's monitor; one anyone may open is left out" {
    command -v cc > /dev/null && command -v python3 > /dev/null || skip "needs cc and python3"
    [[ -c /dev/cpu_dma_latency ]] || skip "no /dev/cpu_dma_latency whose numbers the test camera borrows"
    # A rootless container gets no device cgroup: the node's mode keeps the app out, 0660 and a group of the user's
    # that is not mapped into the app; the monitor, running as the user, opens it.
    local group=$TU_GROUP major minor
    groupadd "$group"
    usermod -aG "$group" "$TU_USER"
    major=$((16#$(stat -c %t /dev/cpu_dma_latency)))
    minor=$((16#$(stat -c %T /dev/cpu_dma_latency)))
    mkdir -p "$TU_BASE/dev" "$TU_BASE/rootfs-dev"
    mknod "$TU_BASE/dev/video0" c "$major" "$minor"
    chgrp "$group" "$TU_BASE/dev/video0"
    chmod 660 "$TU_BASE/dev/video0"
    mknod "$TU_BASE/dev/video1" c "$major" "$minor"
    chmod 666 "$TU_BASE/dev/video1"
    cp -a "$ROOTFS/." "$TU_BASE/rootfs-dev/"
    mkdir -p "$TU_BASE/rootfs-dev/app/bin"
    cc -static -O2 -pthread -o "$TU_BASE/rootfs-dev/app/bin/deviceprobe" "$BATS_TEST_DIRNAME/probes/device_probe.c" \
        || skip "cannot build a static probe here"
    cat > "$TU_HOME/cam.toml" <<TOML
id = "org.tauos.rlcam"
command = ["/app/bin/deviceprobe", "open", "/dev/video0", "ro"]
on_violation = "ask"

[permissions]
camera = true
TOML
    as_user "$TAURUN" convert "$TU_HOME/cam.toml" --bundle "$TU_HOME/cam" --rootfs "$TU_BASE/rootfs-dev" --device-root "$TU_BASE/dev"
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    [[ $stderr == *"runs without $TU_BASE/dev/video1: camera is asked for at runtime"*"lets any user open it"* ]]
    jq -e --arg a "camera:/dev/video0:$major:$minor" '.annotations["org.tauos.app.devices.asked"] == $a' "$TU_HOME/cam/config.json"
    # The user's prompt agent answers allow-once.
    runuser -u "$TU_USER" -- /usr/bin/python3 "$BATS_TEST_DIRNAME/prompt_agent.py" "$TU_XDG/taurun-prompt.sock" allow-once \
        "$TU_XDG/agent.log" 3>&- &
    local agent=$!
    for _ in $(seq 100); do [[ -e $TU_XDG/agent.log.ready ]] && break; sleep 0.05; done
    as_user "$RUNTIME" run --bundle "$TU_HOME/cam" "tau-rl-cam-$$"
    kill "$agent" 2> /dev/null || true
    wait "$agent" 2> /dev/null || true
    echo "$output $stderr"
    [ "$output" = "open /dev/video0: ok O_RDONLY device $major:$minor read some"$'\ndevice probe: done' ]
    [ "$(wc -l < "$TU_XDG/agent.log")" -eq 1 ]
    # The app's own open of the node, not taken for the camera's: refused by the node's mode.
    jq '.process.args = ["/app/bin/deviceprobe", "reopen", "/dev/video0"]' "$TU_HOME/cam/config.json" > "$TU_BASE/c.json"
    cp "$TU_BASE/c.json" "$TU_HOME/cam/config.json"
    as_user "$RUNTIME" run --bundle "$TU_HOME/cam" "tau-rl-cam2-$$"
    echo "$output $stderr"
    [ "$output" = $'reopen /dev/video0: Permission denied\ndevice probe: done' ]
}
