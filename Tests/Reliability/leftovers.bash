# Shared by scripts/faults.sh and scripts/concurrency.sh: bundles, bounded runtime calls, and the leftover checks.
#
# Everything a run makes lives under one work directory ($REL_WORK): the state root, one bundle per container (a
# hard-linked copy of the busybox rootfs, so a mount left on one bundle is attributed to that container alone) and
# the runtime's captured output. A container is found again by three things only it has: its id (in a runtime's
# command line, in a cgroup path, in a state entry), a marker in its environment and argv, and its bundle directory
# (as a process's cwd or root). Nothing else on the machine is ever looked at for cleanup, so the scripts can only
# kill, unmount or rmdir what they made.
#
# Needs: bash 5, jq, timeout(1), root. REL_ROOTFS (default build/rootfs) is the busybox rootfs from scripts/rootfs.sh.

REL_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
REL_ROOTFS=${REL_ROOTFS:-$REL_REPO/build/rootfs}
# Upper bound for any one runtime call; a call that needs it is reported as a hang.
REL_TIMEOUT=${REL_TIMEOUT:-20}
REL_WORK=""
REL_STATE=""
REL_RUNTIME=""
REL_SLEEP_FD=""
REL_CONFIG=""
REL_CGROUP_MOUNTS=()
# Containers that may exist right now, as "ID|BUNDLE|MARK"; rel_finish deletes and scrubs them if the run is
# interrupted (a SIGTERM from a bats timeout, ^C) between a create and its checks.
REL_LIVE=()
# Runtime processes (or their timeout(1) wrappers) started in the background and not waited for yet, space-separated.
REL_BG_PID=""
REL_VALID_STATUS='^(creating|created|running|paused|stopped)$'

# Sets up the work directory for runtime $1 and a name prefix $2; call once, then `trap rel_finish EXIT`.
rel_init() {
    local runtime=$1 prefix=$2
    if (( EUID != 0 )); then
        echo "$prefix: must run as root (containers, cgroups, mounts)" >&2
        return 2
    fi
    if [[ $runtime != */* ]]; then
        runtime=$(command -v "$runtime") || { echo "$prefix: runtime $1 not found" >&2; return 2; }
    fi
    [[ -x $runtime ]] || { echo "$prefix: runtime $runtime is not executable" >&2; return 2; }
    REL_RUNTIME=$(realpath "$runtime")
    if [[ ! -x $REL_ROOTFS/bin/busybox ]]; then
        echo "$prefix: rootfs $REL_ROOTFS missing (scripts/rootfs.sh $REL_ROOTFS)" >&2
        return 2
    fi
    for tool in jq timeout flock; do
        command -v "$tool" > /dev/null || { echo "$prefix: $tool not found" >&2; return 2; }
    done
    REL_WORK=$(mktemp -d "${TMPDIR:-/tmp}/$prefix.XXXXXX") || return 2
    REL_STATE="$REL_WORK/state"
    mkdir -p "$REL_STATE"
    # One private copy of the rootfs; bundles hard-link it (cp -al: ~25 ms instead of a full copy).
    cp -a "$REL_ROOTFS" "$REL_WORK/rootfs"
    REL_CONFIG=$(rel_config_template) || return 2
    # A pipe nobody writes to: `read -t` on it is a sub-millisecond sleep without forking sleep(1).
    exec {REL_SLEEP_FD}<> <(:)
    # Every cgroup hierarchy the host has mounted (v1 controllers, named hierarchies, the unified one).
    mapfile -t REL_CGROUP_MOUNTS < <(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") break;
        if ($(i + 1) == "cgroup" || $(i + 1) == "cgroup2") print $5 }' /proc/self/mountinfo | sort -u)
}

# The bundle's config.json with "@MARK@" where the marker goes; built once by rel_init (jq once, not per bundle).
rel_config_template() {
    jq -n --arg mark "@MARK@" '{
        ociVersion: "1.0.2",
        process: {
            terminal: false, user: {uid: 0, gid: 0},
            args: ["sh", "-c", "sleep 1000; true", $mark],
            env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", ("RELIABILITY_MARK=" + $mark)],
            cwd: "/",
            capabilities: {
                bounding: ["CAP_KILL"], effective: ["CAP_KILL"], permitted: ["CAP_KILL"]
            },
            noNewPrivileges: true
        },
        root: {path: "rootfs", readonly: false},
        hostname: "reliability",
        mounts: [
            {destination: "/proc", type: "proc", source: "proc"},
            {destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]},
            {destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
            {destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
            {destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]}
        ],
        linux: {
            resources: {devices: [{allow: false, access: "rwm"}]},
            namespaces: [{type: "pid"}, {type: "network"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}],
            maskedPaths: ["/proc/kcore", "/proc/keys"],
            readonlyPaths: ["/proc/sys", "/proc/sysrq-trigger"]
        }
    }' | if [[ ${REL_TAU:-} == 1 ]]; then
        # A Tau-app-shaped bundle (REL_TAU=1): taurun adds its security monitor, a process outside the container's
        # cgroup that must end with the container whatever instant the runtime is killed at. Its argv is taurun's,
        # with the id in it, so the process check below finds a surviving monitor.
        jq '.annotations = {"org.tauos.app.id": "org.tauos.faults", "org.tauos.app.on_violation": "terminate",
                            "org.tauos.app.sandbox": "taurun", "org.tauos.app.permissions": ""}
            | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
                                syscalls: [{names: ["unshare", "setns", "mount"], action: "SCMP_ACT_KILL_PROCESS"}]}'
    else
        cat
    fi
}

# Sleeps $1 microseconds without a fork.
rel_usleep() {
    local us=$1 secs
    (( us <= 0 )) && return 0
    printf -v secs '%d.%06d' $((us / 1000000)) $((us % 1000000))
    read -r -t "$secs" -u "$REL_SLEEP_FD" _ 2> /dev/null || true
}

# The runtime with the run's state root, bounded in time, stdin from /dev/null, none of the script's extra fds.
rel_rt() {
    timeout -k 2 "$REL_TIMEOUT" "$REL_RUNTIME" --root "$REL_STATE" "$@" < /dev/null {REL_SLEEP_FD}>&-
}

# Creates bundle directory $1 whose process is `sh -c 'sleep 1000; true' MARK` with MARK=$2 also in its environment:
# the marker is in argv of the container's pid 1 and in the environment of everything it starts.
rel_make_bundle() {
    local dir=$1 mark=$2
    mkdir -p "$dir"
    cp -al "$REL_WORK/rootfs" "$dir/rootfs"
    printf '%s\n' "${REL_CONFIG//@MARK@/$mark}" > "$dir/config.json"
}

# Pids of processes that belong to container $1 (bundle dir $2, marker $3), one per line as "PID(cmdline)": the
# marker in argv or environment, the id in argv (a runtime process, or a container process that has not exec'd yet
# and still carries the runtime's argv), the id in its cgroup path, or a cwd/root inside the bundle (runc's init).
rel_processes() {
    local id=$1 dir=$2 mark=$3 pids pid cmd
    pids=$(
        {
            grep -lazF -e "$mark" /proc/[0-9]*/environ /proc/[0-9]*/cmdline
            grep -lazF -e "$id" /proc/[0-9]*/cmdline
            grep -lF -e "$id" /proc/[0-9]*/cgroup
            find /proc/[0-9]*/cwd /proc/[0-9]*/root -maxdepth 0 \( -lname "$dir" -o -lname "$dir/*" \)
        } 2> /dev/null | sed -nE 's#^/proc/([0-9]+)/.*#\1#p' | sort -un
    )
    for pid in $pids; do
        [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
        # The searching grep/find themselves match (their argv holds the id) but are gone by now.
        cmd=$( { tr "\0" " " < "/proc/$pid/cmdline"; } 2> /dev/null) || continue
        [[ -d /proc/$pid ]] || continue
        # A zombie is dead and holds nothing of the container; reaping it is its parent's business, and an orphan's
        # parent is the machine's init (which here reaps about once a second).
        [[ -z $cmd ]] && continue
        echo "$pid(${cmd% })"
    done
}

# Cgroup directories named after id $1 in every mounted hierarchy, one per line.
rel_cgroups_of() {
    find "${REL_CGROUP_MOUNTS[@]}" -mindepth 1 -maxdepth 8 -type d -name "*$1*" 2> /dev/null
}

# Prints one line per leftover of container $1 (bundle dir $2, marker $3): "mount: ...", "cgroup: ...",
# "state: ..." and "process: ...". Processes get up to $4 seconds (default 2) to finish dying.
rel_leftovers() {
    local id=$1 dir=$2 mark=$3 grace=${4:-2} line hier procs tries
    # Host mounts on the bundle, the container's state entry, or anything named after the id.
    grep -F -e "$dir/" -e " $dir " -e "$REL_STATE/$id" -e "$id" /proc/self/mountinfo | awk '{ print "mount: " $5 " (" $0 ")" }'
    rel_cgroups_of "$id" | sed 's/^/cgroup: /'
    find "$REL_STATE" -mindepth 1 -maxdepth 2 -name "*$id*" 2> /dev/null | sed 's/^/state: /'
    tries=$((grace * 20))
    while :; do
        procs=$(rel_processes "$id" "$dir" "$mark")
        [[ -z $procs ]] && break
        (( tries-- <= 0 )) && break
        rel_usleep 50000
    done
    [[ -n $procs ]] && sed 's/^/process: /' <<< "$procs"
    return 0
}

# Removes whatever rel_leftovers found for container $1 (bundle dir $2, marker $3), then the bundle: kills the
# container's processes (thawing a frozen cgroup first), unmounts, removes its cgroup and state directories. Only
# objects named after the id or found by the marker/bundle are touched.
rel_scrub() {
    local id=$1 dir=$2 mark=$3 pid cg mnt
    while read -r cg; do
        [[ -z $cg ]] && continue
        [[ -f $cg/freezer.state ]] && echo THAWED > "$cg/freezer.state" 2> /dev/null
        [[ -f $cg/cgroup.freeze ]] && echo 0 > "$cg/cgroup.freeze" 2> /dev/null
        [[ -f $cg/cgroup.procs ]] && xargs -r kill -9 < "$cg/cgroup.procs" 2> /dev/null
    done < <(rel_cgroups_of "$id")
    for pid in $(rel_processes "$id" "$dir" "$mark" | sed 's/(.*//'); do
        kill -9 "$pid" 2> /dev/null
    done
    local tries=40
    while [[ -n $(rel_processes "$id" "$dir" "$mark") ]] && (( tries-- > 0 )); do
        rel_usleep 50000
    done
    # Deepest mount first.
    while read -r mnt; do
        [[ -n $mnt ]] && umount -l "$mnt" 2> /dev/null
    done < <(grep -F -e "$dir/" -e " $dir " -e "$REL_STATE/$id" -e "$id" /proc/self/mountinfo | awk '{ print $5 }' | sort -r)
    # Deepest cgroup first; a cgroup with a dying task may need a moment.
    while read -r cg; do
        [[ -z $cg ]] && continue
        tries=20
        until rmdir "$cg" 2> /dev/null || (( tries-- <= 0 )); do rel_usleep 50000; done
    done < <(rel_cgroups_of "$id" | sort -r)
    rm -rf --one-file-system "${REL_STATE:?}/$id"
    [[ -n $dir ]] && rm -rf --one-file-system "$dir"
    return 0
}

# Checks `state` and `list` of container $1 while it may be half-made: either a correct answer (JSON whose id is $1
# and whose status is one the spec defines) or a clean error (non-zero exit below 125, one message on stderr).
# Prints one line per broken answer; prints nothing when all is well.
rel_check_views() {
    local id=$1 out err rc
    out=$(rel_rt state "$id" 2> "$REL_WORK/view.err")
    rc=$?
    err=$(head -c 400 "$REL_WORK/view.err" | tr '\n' ' ')
    if (( rc == 0 )); then
        if ! jq -e --arg id "$id" --arg re "$REL_VALID_STATUS" \
            '.id == $id and (.status | test($re)) and (.pid | type == "number")' <<< "$out" > /dev/null 2>&1; then
            echo "view: state exit 0 with a broken answer: $(head -c 300 <<< "$out" | tr '\n' ' ')"
        fi
    elif (( rc >= 124 )); then
        echo "view: state exit $rc (hang or crash): $err"
    elif [[ -z $err ]]; then
        echo "view: state exit $rc with no message"
    fi
    out=$(rel_rt list --format json 2> "$REL_WORK/view.err")
    rc=$?
    err=$(head -c 400 "$REL_WORK/view.err" | tr '\n' ' ')
    if (( rc != 0 )); then
        echo "view: list exit $rc: $err"
    elif ! jq -e --arg re "$REL_VALID_STATUS" \
        '(. // []) | all(.[]; (.id | type == "string") and (.status | test($re)))' <<< "$out" > /dev/null 2>&1; then
        echo "view: list printed a broken entry: $(head -c 300 <<< "$out" | tr '\n' ' ')"
    fi
}

# Checks that container $1 is gone from the runtime's point of view: `state` fails saying it does not exist, and
# `list` does not show it. Prints one line per problem.
rel_check_gone() {
    local id=$1 out err rc
    out=$(rel_rt state "$id" 2> "$REL_WORK/view.err")
    rc=$?
    err=$(head -c 400 "$REL_WORK/view.err" | tr '\n' ' ')
    if (( rc == 0 )); then
        echo "view: state of a deleted container exits 0: $(head -c 200 <<< "$out" | tr '\n' ' ')"
    # crun says "error opening file .../status: No such file or directory" for the same fact.
    elif ! grep -qiE 'does not exist|no such file or directory' <<< "$err"; then
        echo "view: state of a deleted container: exit $rc, \"$err\" (wanted \"does not exist\")"
    fi
    out=$(rel_rt list --quiet 2> "$REL_WORK/view.err")
    rc=$?
    if (( rc != 0 )); then
        echo "view: list exit $rc: $(head -c 300 "$REL_WORK/view.err" | tr '\n' ' ')"
    elif [[ $'\n'$out$'\n' == *$'\n'$id$'\n'* ]]; then
        echo "view: list still shows the deleted container"
    fi
}

# EXIT trap: deletes and scrubs the containers of an interrupted round (REL_LIVE), then removes the work directory
# (after unmounting anything left below it). Containers are scrubbed by the scripts as they go; this is the last net.
rel_finish() {
    [[ -z $REL_WORK || ! -d $REL_WORK ]] && return 0
    local mnt live parts
    if [[ -n ${REL_BG_PID:-} ]]; then
        # TERM first: a timeout(1) wrapper passes it on to the runtime under it, a SIGKILL would orphan that.
        kill $REL_BG_PID 2> /dev/null
        rel_usleep 200000
        kill -9 $REL_BG_PID 2> /dev/null
    fi
    for live in "${REL_LIVE[@]}"; do
        IFS='|' read -r -a parts <<< "$live"
        rel_rt delete --force "${parts[0]}" > /dev/null 2>&1
        rel_scrub "${parts[0]}" "${parts[1]}" "${parts[2]}"
    done
    REL_LIVE=()
    while read -r mnt; do
        [[ -n $mnt ]] && umount -l "$mnt" 2> /dev/null
    done < <(awk -v w="$REL_WORK" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
    if [[ -n ${REL_KEEP:-} ]]; then
        echo "work directory kept: $REL_WORK" >&2
    else
        rm -rf --one-file-system "$REL_WORK"
    fi
}
