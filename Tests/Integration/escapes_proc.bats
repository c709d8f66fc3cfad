#!/usr/bin/env bats
# The container's /proc is hostile (issue 13, item 4) and `rro` is really recursive (item 5). Each test is an attack
# from a real container: a mount into /proc from config.json, through a symlink in the image, or made before
# pivot_root, that would turn the masks into masks of a decoy, make /proc/sys writable (the host's core_pattern!) or
# drop the LSM label (CVE-2019-16884); and a read-only bind whose submounts would stay writable.
#
# Writability is probed by opening for append without writing (`: >>`): nothing reaches a sysctl even when the
# defence is off. Outcome checks run against every runtime; the exact refusal message only against taurun.

load helpers

# Probes, printed one per line: a line with WRITABLE or NOT-PROC is an escape.
PROBE='
    for f in /proc/sys/kernel/core_pattern /proc/sys/kernel/hostname /proc/sysrq-trigger; do
        [ -e $f ] && (: >> $f) 2>/dev/null && echo "WRITABLE $f"
    done
    for d in /proc/1/attr /proc/$$/attr /proc/self/attr /proc/sys; do
        t=$(stat -f -c %T $d 2>/dev/null); [ -z "$t" ] || [ "$t" = proc ] || echo "NOT-PROC $d is $t"
    done
    echo probed'

refusal_text="mounting over /proc is not allowed"

# rt_files, plus $lines from $output.
run_rt() {
    rt_files "$@"
    mapfile -t lines <<< "$output"
}

# A host directory of symlinks named like fds (0..255), each to /decoy: put over /proc/self/fd it would send every
# "/proc/self/fd/N" a runtime uses to a directory of the attacker's choosing.
fake_fd_dir() {
    local dir=$1 i
    mkdir -p "$dir"
    for i in $(seq 0 255); do ln -s /decoy "$dir/$i"; done
    mkdir -p "$BUNDLE/rootfs/decoy"
}

assert_no_escape() {
    [[ $output != *WRITABLE* ]] || { echo "escape: $output" >&2; return 1; }
    [[ $output != *NOT-PROC* ]] || { echo "escape: $output" >&2; return 1; }
}

# Refused by taurun with one line naming the field and the value.
assert_refused() {
    local field=$1 value=$2
    [ "$status" -ne 0 ]
    [[ $stderr == *"config.json: $field"* ]] || { echo "stderr: $stderr" >&2; return 1; }
    [[ $stderr == *"\"$value\""* ]] || { echo "stderr: $stderr" >&2; return 1; }
    [[ $stderr == *"$refusal_text"* || $stderr == *"only a proc mount"* ]] || { echo "stderr: $stderr" >&2; return 1; }
    [ "$(grep -c . <<< "$stderr")" -eq 1 ]
}

@test "proc: a bind of decoy fds over /proc/self/fd is refused and cannot make /proc/sys writable" {
    fake_fd_dir "$BATS_TEST_TMPDIR/fakefd"
    cfg '.mounts += [{destination: "/proc/self/fd", type: "bind", source: $s, options: ["rbind"]}]' --arg s "$BATS_TEST_TMPDIR/fakefd"
    set_args sh -c "$PROBE"
    id=$(new_id)
    run_rt run --bundle "$BUNDLE" "$id"
    assert_no_escape
    if is_taurun; then
        assert_refused "mounts[7].destination" /proc/self/fd
    fi
}

@test "proc: a tmpfs over /proc/self/fd is refused and cannot make /proc/sys writable" {
    cfg '.mounts += [{destination: "/proc/self/fd", type: "tmpfs", source: "tmpfs"}]'
    set_args sh -c "$PROBE"
    id=$(new_id)
    run_rt run --bundle "$BUNDLE" "$id"
    assert_no_escape
    if is_taurun; then
        assert_refused "mounts[7].destination" /proc/self/fd
    fi
}

@test "proc: /proc/self/fd overmounted before pivot_root (createContainer hook) does not redirect the masks" {
    # No config mount can do this any more; a hook can, and stands for any way still unknown. The masks must land
    # on the real /proc/sys all the same: taurun names fds through a private procfs, not the container's /proc.
    fake_fd_dir "$BATS_TEST_TMPDIR/fakefd"
    local rootfs="$BUNDLE/rootfs"
    cfg '.hooks.createContainer = [{path: "/bin/sh", args: ["sh", "-c", $script], env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]}]' \
        --arg script "for p in $rootfs/proc/[0-9]*; do mount --bind $BATS_TEST_TMPDIR/fakefd \$p/fd; done"
    set_args sh -c "$PROBE"
    id=$(new_id)
    run_rt run --bundle "$BUNDLE" "$id"
    assert_no_escape
    if is_taurun; then
        [ "$status" -eq 0 ] || { echo "stderr: $stderr" >&2; return 1; }
        [[ $output == *probed* ]]
    fi
}

@test "proc: a symlink in the image into /proc/self/attr cannot carry a bind there (CVE-2019-16884 class)" {
    ln -s /proc/self/attr "$BUNDLE/rootfs/evil"
    mkdir -p "$BATS_TEST_TMPDIR/attr"
    cfg '.mounts += [{destination: "/evil", type: "bind", source: $s, options: ["rbind"]}]' --arg s "$BATS_TEST_TMPDIR/attr"
    set_args sh -c "$PROBE"
    id=$(new_id)
    run_rt run --bundle "$BUNDLE" "$id"
    if [[ $(runtime_name) == crun && $output == *NOT-PROC* ]]; then
        skip "crun 1.8.1 has no /proc allow-list: it binds over /proc/self/attr through the image's symlink"
    fi
    assert_no_escape
    if is_taurun; then
        assert_refused "mounts[7].destination" /evil
        [[ $stderr == *"resolves to /proc/1/attr inside the rootfs"* ]]
    fi
}

@test "proc: a symlink in the image into /proc/sys cannot carry a mount there" {
    ln -s /proc/sys "$BUNDLE/rootfs/evil"
    cfg '.mounts += [{destination: "/evil/kernel", type: "tmpfs", source: "tmpfs"}]'
    set_args sh -c "$PROBE"'; ls /proc/sys/kernel | grep -qx core_pattern && echo sysctls-visible'
    id=$(new_id)
    run_rt run --bundle "$BUNDLE" "$id"
    assert_no_escape
    if is_taurun; then
        assert_refused "mounts[7].destination" /evil/kernel
        [[ $stderr == *"resolves to /proc/sys/kernel inside the rootfs"* ]]
    elif [[ $status -eq 0 && $output != *sysctls-visible* ]]; then
        skip "$(runtime_name) mounts a tmpfs over /proc/sys/kernel through the image's symlink (no escape, sysctls hidden)"
    fi
}

@test "proc: a mount over /proc/self/attr is refused (CVE-2019-16884)" {
    mkdir -p "$BATS_TEST_TMPDIR/attr"
    : > "$BATS_TEST_TMPDIR/attr/exec"
    : > "$BATS_TEST_TMPDIR/attr/current"
    cfg '.mounts += [{destination: "/proc/self/attr", type: "bind", source: $s, options: ["rbind"]}]' --arg s "$BATS_TEST_TMPDIR/attr"
    set_args sh -c "$PROBE"
    id=$(new_id)
    run_rt run --bundle "$BUNDLE" "$id"
    if [[ $(runtime_name) == crun && $output == *NOT-PROC* ]]; then
        skip "crun 1.8.1 has no /proc allow-list: it binds over /proc/self/attr"
    fi
    assert_no_escape
    if is_taurun; then
        assert_refused "mounts[7].destination" /proc/self/attr
    fi
}

@test "proc: a directory that is not procfs bound at /proc is refused (CVE-2019-16884)" {
    # The original attack: a volume over /proc whose attr files are plain files, so the label write goes nowhere.
    mkdir -p "$BATS_TEST_TMPDIR/fakeproc/self/attr" "$BATS_TEST_TMPDIR/fakeproc/sys/kernel"
    : > "$BATS_TEST_TMPDIR/fakeproc/sys/kernel/core_pattern"
    cfg '.mounts += [{destination: "/proc", type: "bind", source: $s, options: ["rbind"]}]' --arg s "$BATS_TEST_TMPDIR/fakeproc"
    set_args sh -c "$PROBE"
    id=$(new_id)
    run_rt run --bundle "$BUNDLE" "$id"
    if [[ $(runtime_name) == crun && $status -eq 0 ]]; then
        skip "crun 1.8.1 binds any directory at /proc"
    fi
    [ "$status" -ne 0 ]
    if is_taurun; then
        assert_refused "mounts[7].destination" /proc
    fi
}

@test "proc: lxcfs-style binds over /proc/meminfo, uptime, cpuinfo, stat, loadavg still work" {
    local f src="$BATS_TEST_TMPDIR/lxcfs"
    mkdir -p "$src"
    for f in meminfo uptime cpuinfo stat loadavg; do
        echo "fake $f" > "$src/$f"
        cfg '.mounts += [{destination: ("/proc/" + $f), type: "bind", source: ($s + "/" + $f), options: ["bind", "ro"]}]' \
            --arg f "$f" --arg s "$src"
    done
    set_args sh -c 'for f in meminfo uptime cpuinfo stat loadavg; do cat /proc/$f; done; cat /proc/version | cut -c1-5; '"$PROBE"
    id=$(new_id)
    run_rt run --bundle "$BUNDLE" "$id"
    [ "$status" -eq 0 ] || { echo "stderr: $stderr" >&2; return 1; }
    [ "${lines[0]}" = "fake meminfo" ]
    [ "${lines[1]}" = "fake uptime" ]
    [ "${lines[2]}" = "fake cpuinfo" ]
    [ "${lines[3]}" = "fake stat" ]
    [ "${lines[4]}" = "fake loadavg" ]
    [ "${lines[5]}" = "Linux" ]
    assert_no_escape
}

# --- rro ---------------------------------------------------------------------------------------------------------

# A host directory with a tmpfs mounted inside it: the submount an `rbind` carries along.
make_volume_with_submount() {
    VOL="$BATS_TEST_TMPDIR/vol"
    mkdir -p "$VOL/sub"
    echo top > "$VOL/top.txt"
    mount -t tmpfs -o size=1m tmpfs "$VOL/sub"
    echo sub > "$VOL/sub/sub.txt"
}

test_cleanup() {
    if [[ -n ${VOL:-} ]] && mountpoint -q "$VOL/sub"; then umount -l "$VOL/sub"; fi
    if [[ -n ${TAU_W:-} ]]; then
        local m
        for m in $(awk -v w="$TAU_W" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do umount -l "$m"; done
        rm -rf "$TAU_W"
    fi
    return 0
}

WRITE_PROBE='cat /vol/top.txt /vol/sub/sub.txt
    touch /vol/new 2>&1 || true
    touch /vol/sub/new 2>&1 || true
    echo end'

@test "rro: an rbind with rro is read-only at every level, submounts included" {
    make_volume_with_submount
    cfg '.mounts += [{destination: "/vol", type: "bind", source: $s, options: ["rbind", "rro"]}]' --arg s "$VOL"
    set_args sh -c "$WRITE_PROBE"
    id=$(new_id)
    run_rt run --bundle "$BUNDLE" "$id"
    [ "$status" -eq 0 ] || { echo "stderr: $stderr" >&2; return 1; }
    [ "${lines[0]}" = top ]
    [ "${lines[1]}" = sub ]
    [[ ${lines[2]} == *"/vol/new"*"Read-only file system"* ]]
    [[ ${lines[3]} == *"/vol/sub/new"*"Read-only file system"* ]]
    [ ! -e "$VOL/new" ] && [ ! -e "$VOL/sub/new" ]
}

@test "rro: plain ro on an rbind makes only the top read-only (the submount stays writable)" {
    # Documented behaviour of mount(2) and of every runtime: MS_RDONLY on a bind remount is not recursive.
    make_volume_with_submount
    cfg '.mounts += [{destination: "/vol", type: "bind", source: $s, options: ["rbind", "ro"]}]' --arg s "$VOL"
    set_args sh -c "$WRITE_PROBE"
    id=$(new_id)
    run_rt run --bundle "$BUNDLE" "$id"
    [ "$status" -eq 0 ] || { echo "stderr: $stderr" >&2; return 1; }
    [[ ${lines[2]} == *"/vol/new"*"Read-only file system"* ]]
    [ "${lines[3]}" = end ]
    [ -e "$VOL/sub/new" ]
}

@test "rro: on a tmpfs mount too" {
    skip_on_runc_1_1 "runc 1.1 applies rro to bind mounts only (a tmpfs with rro stays writable)"
    cfg '.mounts += [{destination: "/ro-tmp", type: "tmpfs", source: "tmpfs", options: ["rro", "size=1m"]}]'
    set_args sh -c 'touch /ro-tmp/x 2>&1; grep " /ro-tmp " /proc/self/mountinfo | cut -d" " -f6'
    id=$(new_id)
    run_rt run --bundle "$BUNDLE" "$id"
    [ "$status" -eq 0 ] || { echo "stderr: $stderr" >&2; return 1; }
    [[ ${lines[0]} == *"Read-only file system"* ]]
    [[ ${lines[1]} == ro,* ]]
}

@test "rro: taurun features lists rro" {
    is_taurun || skip "$(runtime_name): features format differs"
    run "$RUNTIME" features
    [ "$status" -eq 0 ]
    jq -e '.mountOptions | index("rro")' <<< "$output"
}

@test "rro: a Tau filesystem:ro grant and /sys are read-only at every level" {
    # Convert with taurun whatever the runtime under test: the bundle is the same.
    local taurun=${TAURUN:-$RUNTIME}
    is_taurun || taurun=${TAURUN:-$REPO_ROOT/.build/release/taurun}
    [[ -x $taurun ]] || skip "no taurun to convert the app with (set TAURUN)"
    # Not under $BATS_TEST_TMPDIR (0700): the app's unprivileged host uid must traverse every parent.
    TAU_W=$(mktemp -d /tmp/tau-rro.XXXXXX)
    chmod 755 "$TAU_W"
    mkdir -p "$TAU_W/data/sub"
    echo top > "$TAU_W/data/top.txt"
    mount -t tmpfs -o size=1m,mode=0777 tmpfs "$TAU_W/data/sub"
    echo sub > "$TAU_W/data/sub/sub.txt"
    cat > "$TAU_W/tau.toml" <<EOF
id = "org.tauos.rroprobe"
name = "rro probe"
version = "1.0.0"
command = ["/bin/true"]
rootfs = "$ROOTFS_SRC"

[permissions]
filesystem = "ro"
EOF
    TAURUN_AUDIT_LOG="$TAU_W/audit.jsonl" "$taurun" convert --state-dir "$TAU_W/state" --data "$TAU_W/data" --yes \
        --bundle "$TAU_W/bundle" "$TAU_W/tau.toml" >/dev/null
    # The app's own sysfs (its network namespace is its own), read-only; the awk below checks every mount under it.
    jq -e '.mounts[] | select(.destination == "/sys") | .type == "sysfs" and (.options | index("ro"))' "$TAU_W/bundle/config.json" >/dev/null
    jq --arg s 'cat "$TAU_DATA/sub/sub.txt"; touch "$TAU_DATA/sub/new" 2>&1; awk '\''$5 ~ "^/sys" && $6 !~ /^ro/ { print "WRITABLE " $5 }'\'' /proc/self/mountinfo; echo end' \
        '.process.args = ["/bin/sh", "-c", $s]' "$TAU_W/bundle/config.json" > "$TAU_W/c.json"
    mv "$TAU_W/c.json" "$TAU_W/bundle/config.json"
    id=$(new_id)
    run_rt run --bundle "$TAU_W/bundle" "$id"
    [ "$status" -eq 0 ] || { echo "stderr: $stderr" >&2; return 1; }
    [[ $output != *WRITABLE* ]] || { echo "$output" >&2; return 1; }
    [ ! -e "$TAU_W/data/sub/new" ]
    if [[ $(runtime_name) == crun && ${lines[0]} != sub ]]; then
        skip "crun 1.8.1 does not carry the data directory's submount into a Tau container (with ro or rro alike)"
    fi
    [ "${lines[0]}" = sub ] || { echo "output: $output stderr: $stderr" >&2; return 1; }
    [[ ${lines[1]} == *"Read-only file system"* ]]
}
