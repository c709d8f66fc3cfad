# Shared setup for the runtime-agnostic integration suite.
#
# Every test gets its own state root (--root), its own bundle (a copy of build/rootfs plus config.base.json) and a
# unique container id; teardown force-deletes whatever the test left and fails the test if anything of the container
# survives: a mount under the test's directory, a cgroup directory named after an id, a state entry, or a process.
#
# RUNTIME selects the binary under test (default: the release build of taurun), e.g. RUNTIME=runc or RUNTIME=crun.

bats_require_minimum_version 1.5.0

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
RUNTIME=${RUNTIME:-$REPO_ROOT/.build/release/taurun}
ROOTFS_SRC=${ROOTFS_SRC:-$REPO_ROOT/build/rootfs}
BASE_CONFIG="$BATS_TEST_DIRNAME/config.base.json"

# True when the binary under test is taurun; used only to skip checks of taurun-only behaviour on peers.
is_taurun() {
    [[ $(basename "$RUNTIME") == taurun* ]]
}

# Skips the test when the runtime's `features` says it implements a runtime-spec older than $1 (runc 1.1 stops at
# 1.0.2-dev). A runtime without `features` (crun 1.8) is assumed to have the feature.
requires_spec() {
    local want=$1 what=$2 max
    max=$("$RUNTIME" features 2>/dev/null | jq -r '.ociVersionMax // empty' 2>/dev/null) || true
    [[ -z $max ]] && return 0
    if [[ $(printf '%s\n%s\n' "${max%%-*}" "$want" | sort -V | head -n1) != "$want" ]]; then
        skip "$(runtime_name) implements runtime-spec $max; $what needs $want"
    fi
}

# Skips the test when the runtime's `features` lists namespaces and $1 is not among them.
requires_namespace() {
    local list
    list=$("$RUNTIME" features 2>/dev/null | jq -r '.linux.namespaces // empty | .[]' 2>/dev/null) || true
    [[ -z $list ]] && return 0
    grep -qx "$1" <<< "$list" || skip "$(runtime_name) features does not list the $1 namespace"
}

# Skips a test that runc 1.1 (Debian 12's runc) is known to fail because of a bug fixed in a later runc; $1 says which.
# Other runtimes, taurun included, always run the test.
skip_on_runc_1_1() {
    [[ $(runtime_name) == runc ]] || return 0
    if "$RUNTIME" --version 2>/dev/null | grep -q '^runc version 1\.1\.'; then
        skip "$1"
    fi
}

# Skips the test unless the kernel can id-map a mount of directory $1 (mount_setattr MOUNT_ATTR_IDMAP on a detached
# clone, with a throwaway user namespace), and the runtime's `features` does not say it lacks id-mapped mounts.
requires_idmap() {
    local dir=$1 enabled
    enabled=$("$RUNTIME" features 2>/dev/null | jq -r '.linux.mountExtensions.idmap.enabled // empty' 2>/dev/null) || true
    if "$RUNTIME" features > /dev/null 2>&1 && [[ $enabled != true ]]; then
        skip "$(runtime_name) features does not report id-mapped mounts"
    fi
    unshare --user --map-root-user sleep 30 &
    local holder=$! why
    sleep 0.1
    why=$(python3 - "$dir" "$holder" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
class Attr(ctypes.Structure):
    _fields_ = [("set", ctypes.c_uint64), ("clr", ctypes.c_uint64), ("prop", ctypes.c_uint64), ("userns", ctypes.c_uint64)]
tree = libc.syscall(428, -100, sys.argv[1].encode(), 1 | 0o2000000)   # open_tree(OPEN_TREE_CLONE|O_CLOEXEC)
if tree < 0:
    print("open_tree: " + os.strerror(ctypes.get_errno())); sys.exit()
ns = os.open("/proc/%s/ns/user" % sys.argv[2], os.O_RDONLY)
attr = Attr(0x100000, 0, 0, ns)
if libc.syscall(442, tree, b"", 0x1000, ctypes.byref(attr), ctypes.sizeof(attr)) < 0:
    print("mount_setattr(MOUNT_ATTR_IDMAP): " + os.strerror(ctypes.get_errno()))
PY
)
    kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null || true
    [[ -z $why ]] || skip "this kernel cannot id-map a mount of $dir ($why)"
}

runtime_name() {
    basename "$RUNTIME"
}

# The runtime with this test's state root. Output goes where the caller sends it.
rt() {
    "$RUNTIME" --root "$STATE_ROOT" "$@"
}

# Runs the runtime with stdin from /dev/null and stdout/stderr into files, then sets $status, $output and $stderr like
# `run --separate-stderr`. Unlike bats' `run` this never waits on a pipe that a container process inherited (a detached
# or unexpectedly created container would otherwise hang the test).
rt_files() {
    local out="$BATS_TEST_TMPDIR/rt.out" err="$BATS_TEST_TMPDIR/rt.err"
    status=0
    # A hang is a failure too: timeout(1) ends it with exit 124 (137 if it ignores SIGTERM).
    timeout -k 5 "${RT_TIMEOUT:-60}" "$RUNTIME" --root "$STATE_ROOT" "$@" < /dev/null > "$out" 2> "$err" 3>&- \
        || status=$?
    output=$(cat "$out")
    stderr=$(cat "$err")
}

# Starts the runtime in the background as a direct child (so $BG_PID is the runtime itself, not a subshell), with bats'
# fd 3 closed; teardown kills it if the test did not wait for it.
rt_bg() {
    "$RUNTIME" --root "$STATE_ROOT" "$@" 3>&- &
    BG_PID=$!
    BG_PIDS+=("$BG_PID")
}

# Creates a bundle at $1 (default $BUNDLE): a private copy of the busybox rootfs and the base config, with a marker in
# the environment so teardown can find any process that belongs to this test.
make_bundle() {
    local dir=${1:-$BUNDLE}
    mkdir -p "$dir"
    cp -a "$ROOTFS_SRC" "$dir/rootfs"
    jq --arg mark "TAURUN_TEST_MARK=$TEST_MARK" '.process.env += [$mark]' "$BASE_CONFIG" > "$dir/config.json"
}

# Edits the bundle's config.json in place with a jq filter; extra arguments go to jq (e.g. --arg name value).
cfg() {
    local filter=$1
    shift
    local file=${CFG_FILE:-$BUNDLE/config.json}
    jq "$filter" "$@" < "$file" > "$file.new"
    mv "$file.new" "$file"
}

# Sets process.args to the given words.
set_args() {
    # Each word travels as the value of --arg: jq would parse a bare word such as "-c" as one of its own options.
    local named=() i=0 w
    for w in "$@"; do
        named+=(--arg "a$i" "$w")
        i=$((i + 1))
    done
    local json
    json=$(jq -cn "${named[@]}" --argjson n "$#" '[range(0; $n) as $i | $ARGS.named["a\($i)"]]')
    cfg '.process.args = $a' --argjson a "$json"
}

# Removes one namespace type from linux.namespaces.
drop_ns() {
    cfg '.linux.namespaces |= map(select(.type != $t))' --arg t "$1"
}

# Adds (or replaces) a namespace, optionally joined by path.
add_ns() {
    if [[ -n ${2:-} ]]; then
        cfg '.linux.namespaces = (.linux.namespaces | map(select(.type != $t))) + [{type: $t, path: $p}]' \
            --arg t "$1" --arg p "$2"
    else
        cfg '.linux.namespaces = (.linux.namespaces | map(select(.type != $t))) + [{type: $t}]' --arg t "$1"
    fi
}

# A fresh container id, remembered so teardown deletes it even if `list` is broken.
new_id() {
    local id="trt${BATS_SUITE_TEST_NUMBER:-0}-$$-$RANDOM$RANDOM"
    TEST_IDS+=("$id")
    echo "$id"
}

# Waits until `state` reports the wanted status (default timeout 10 s).
wait_status() {
    local id=$1 want=$2 tries=$(( ${3:-10} * 20 )) got=""
    while (( tries-- > 0 )); do
        got=$(rt state "$id" 2>/dev/null | jq -r .status 2>/dev/null || true)
        [[ $got == "$want" ]] && return 0
        sleep 0.05
    done
    echo "container $id: status '$got', wanted '$want'" >&2
    return 1
}

# Waits until file $1 exists and is non-empty (default timeout 10 s).
wait_file() {
    local tries=$(( ${2:-10} * 20 ))
    while (( tries-- > 0 )); do
        [[ -s $1 ]] && return 0
        sleep 0.05
    done
    echo "timed out waiting for $1" >&2
    return 1
}

# The namespace identity ("net:[4026531840]") of a process, or of this shell.
ns_of() {
    readlink "/proc/${2:-self}/ns/$1"
}

# Fails (with a description on stderr) if anything of the given ids or of this test's bundle/state root is left:
# mounts below the test directory, cgroup directories named after an id in any hierarchy, state entries, processes.
assert_no_leftovers() {
    local ids=("$@") problems=() id line

    # A mount below the test directory, or a mount anywhere whose source lies below it (a bind of the rootfs or of
    # the state dir that escaped to the host's namespace).
    while read -r line; do
        problems+=("mount: $line")
    done < <(awk -v dir="$BATS_TEST_TMPDIR" 'index($5, dir) == 1 || index($4, dir) == 1 { print $4 " on " $5 }' \
        /proc/self/mountinfo)

    for id in "${ids[@]}"; do
        while read -r line; do
            [[ -n $line ]] && problems+=("cgroup: $line")
        done < <(find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -type d -name "*$id*" 2>/dev/null)
        if [[ -d $STATE_ROOT ]]; then
            while read -r line; do
                [[ -n $line ]] && problems+=("state entry: $line")
            done < <(find "$STATE_ROOT" -mindepth 1 -name "*$id*" 2>/dev/null)
        fi
    done
    if [[ -d $STATE_ROOT ]]; then
        while read -r line; do
            [[ -n $line ]] && problems+=("state dir: $line")
        done < <(find "$STATE_ROOT" -mindepth 1 -type d 2>/dev/null)
    fi

    # A process belongs to this test if its environment carries the test's marker (container processes) or its
    # command line names one of the ids (a runtime process that never exited). Give dying processes a moment.
    local tries=40 procs
    while :; do
        procs=$(test_processes "${ids[@]}")
        [[ -z $procs || $tries -eq 0 ]] && break
        tries=$((tries - 1))
        sleep 0.05
    done
    [[ -n $procs ]] && problems+=("processes: $procs")

    if (( ${#problems[@]} > 0 )); then
        printf 'leftover %s\n' "${problems[@]}" >&2
        return 1
    fi
}

# Pids (with their command lines) of processes that belong to this test: the environment carries the test's marker
# (container processes), an argument contains one of the ids (a runtime process that never exited), or a cgroup path
# names one of the ids (a container process still waiting to exec).
test_processes() {
    local files pid cmd args=()
    for id in "$@"; do
        args+=(-e "$id")
    done
    files=$(
        grep -lazx -e "TAURUN_TEST_MARK=$TEST_MARK" /proc/[0-9]*/environ 2>/dev/null
        if (( ${#args[@]} > 0 )); then
            grep -lazF "${args[@]}" /proc/[0-9]*/cmdline 2>/dev/null
            # A container process that has not exec'd yet carries neither marker nor id, but sits in its cgroup.
            grep -lF "${args[@]}" /proc/[0-9]*/cgroup 2>/dev/null
        fi
    )
    files=$(sort -u <<< "$files")
    for f in $files; do
        pid=${f#/proc/}
        pid=${pid%%/*}
        [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
        # A zombie holds nothing but its pid until its parent (often the host's init, for a detached container)
        # reaps it; it is not something a runtime left behind.
        local stat
        stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        stat=${stat##*) }
        [[ ${stat:0:1} == Z ]] && continue
        cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) || continue
        echo -n "$pid($cmd) "
    done
}

# Capability bit numbers (linux/capability.h), for building the hex masks /proc/PID/status shows.
declare -gA CAP_BITS=(
    [CAP_CHOWN]=0 [CAP_DAC_OVERRIDE]=1 [CAP_DAC_READ_SEARCH]=2 [CAP_FOWNER]=3 [CAP_FSETID]=4 [CAP_KILL]=5
    [CAP_SETGID]=6 [CAP_SETUID]=7 [CAP_SETPCAP]=8 [CAP_LINUX_IMMUTABLE]=9 [CAP_NET_BIND_SERVICE]=10
    [CAP_NET_BROADCAST]=11 [CAP_NET_ADMIN]=12 [CAP_NET_RAW]=13 [CAP_IPC_LOCK]=14 [CAP_IPC_OWNER]=15
    [CAP_SYS_MODULE]=16 [CAP_SYS_RAWIO]=17 [CAP_SYS_CHROOT]=18 [CAP_SYS_PTRACE]=19 [CAP_SYS_PACCT]=20
    [CAP_SYS_ADMIN]=21 [CAP_SYS_BOOT]=22 [CAP_SYS_NICE]=23 [CAP_SYS_RESOURCE]=24 [CAP_SYS_TIME]=25
    [CAP_SYS_TTY_CONFIG]=26 [CAP_MKNOD]=27 [CAP_LEASE]=28 [CAP_AUDIT_WRITE]=29 [CAP_AUDIT_CONTROL]=30
    [CAP_SETFCAP]=31 [CAP_MAC_OVERRIDE]=32 [CAP_MAC_ADMIN]=33 [CAP_SYSLOG]=34 [CAP_WAKE_ALARM]=35
    [CAP_BLOCK_SUSPEND]=36 [CAP_AUDIT_READ]=37 [CAP_PERFMON]=38 [CAP_BPF]=39 [CAP_CHECKPOINT_RESTORE]=40
)

# The 16-digit hex mask of the named capabilities, as in CapEff: of /proc/PID/status.
cap_mask() {
    local mask=0 name
    for name in "$@"; do
        mask=$(( mask | (1 << ${CAP_BITS[$name]}) ))
    done
    printf '%016x\n' "$mask"
}

setup() {
    if [[ ! -x $RUNTIME ]] && ! command -v "$RUNTIME" >/dev/null; then
        echo "runtime $RUNTIME not found (make build, or set RUNTIME)" >&2
        return 1
    fi
    if [[ ! -x $ROOTFS_SRC/bin/busybox ]]; then
        echo "rootfs $ROOTFS_SRC missing (make rootfs)" >&2
        return 1
    fi
    STATE_ROOT="$BATS_TEST_TMPDIR/state"
    BUNDLE="$BATS_TEST_TMPDIR/bundle"
    # taurun's audit records of this test go to its own log, not to the host's /var/log/taurun.
    export TAURUN_AUDIT_LOG="$BATS_TEST_TMPDIR/audit.jsonl"
    TEST_MARK="$$-$RANDOM$RANDOM-${BATS_SUITE_TEST_NUMBER:-0}"
    TEST_IDS=()
    BG_PIDS=()
    mkdir -p "$STATE_ROOT"
    make_bundle "$BUNDLE"
}

teardown() {
    local id pid
    # A test file may define test_cleanup for host objects it created (network namespaces, helper processes).
    if declare -F test_cleanup > /dev/null; then
        test_cleanup || true
    fi
    for pid in "${BG_PIDS[@]}"; do
        kill -9 "$pid" 2>/dev/null || true
    done
    local listed
    listed=$(rt list -q 2>/dev/null || true)
    for id in $listed "${TEST_IDS[@]}"; do
        rt delete --force "$id" >/dev/null 2>&1 || true
    done
    for pid in "${BG_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    assert_no_leftovers "${TEST_IDS[@]}"
}
