#!/usr/bin/env bats
# The container's filesystem: pivot_root hides the host, masked and readonly paths, a readonly root, bind and tmpfs
# mounts, the default /dev, linux.devices.

load helpers

run_container() {
    id=$(new_id)
    run --separate-stderr rt run --bundle "$BUNDLE" "$id"
}

@test "pivot_root: host files are invisible and / is the top" {
    echo host-only > "$BUNDLE/host-marker"
    # The marker sits beside rootfs/ in the bundle: reachable only if the container could climb above its root.
    set_args sh -c '
        for p in /host-marker /../host-marker /../../host-marker /rootfs /bundle; do
            [ -e "$p" ] && echo "visible: $p"
        done
        [ "$(stat -c %d:%i /)" = "$(stat -c %d:%i /..)" ] || echo "/.. is not /"
        cat /proc/self/mountinfo | cut -d" " -f5'
    run_container
    [ "$status" -eq 0 ]
    [[ $output != *visible:* ]]
    [[ $output != *"/.. is not /"* ]]
    # Every mount point inside is / or below a mount the config asked for: no trace of the old root.
    local mp
    for mp in "${lines[@]}"; do
        case $mp in
            / | /proc | /proc/* | /dev | /dev/* | /sys | /sys/*) ;;
            *) echo "unexpected mount point inside: $mp"; return 1 ;;
        esac
    done
}

@test "maskedPaths: files read as empty, directories list as empty" {
    mkdir -p "$BUNDLE/rootfs/home/secretdir"
    echo secret > "$BUNDLE/rootfs/home/secretdir/inside"
    echo secret > "$BUNDLE/rootfs/home/secret-file"
    cfg '.linux.maskedPaths += ["/home/secret-file", "/home/secretdir"]'
    set_args sh -c '
        for p in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/latency_stats /home/secret-file; do
            [ -e "$p" ] || continue
            n=$(head -c 16 "$p" 2>/dev/null | wc -c)
            echo "$p $n"
        done
        for d in /proc/acpi /proc/scsi /sys/firmware /home/secretdir; do
            [ -d "$d" ] || continue
            echo "$d $(ls -A "$d" | wc -l)"
        done
        touch /home/secretdir/new 2>/dev/null && echo "/home/secretdir writable"
        true'
    run_container
    [ "$status" -eq 0 ]
    echo "$output"
    local line
    for line in "${lines[@]}"; do
        [[ $line =~ \ 0$ ]] || { echo "not masked: $line"; return 1; }
    done
    # (/proc/kcore and /sys/firmware may not exist on a small kernel; the rootfs paths always do.)
    [[ $output == *"/home/secret-file 0"* ]]
    [[ $output == *"/home/secretdir 0"* ]]
    [[ $output == *"/proc/keys 0"* ]]
    # The host still has the files.
    [ "$(cat "$BUNDLE/rootfs/home/secret-file")" = secret ]
}

@test "maskedPaths: the mask of a file cannot be removed by the container (no CAP_SYS_ADMIN)" {
    echo secret > "$BUNDLE/rootfs/home/secret-file"
    cfg '.linux.maskedPaths += ["/home/secret-file"]'
    set_args sh -c 'umount /home/secret-file 2>/dev/null; cat /home/secret-file'
    run_container
    [[ $output != *secret* ]]
}

@test "readonlyPaths: /proc/sys and a configured directory cannot be written; the rest can" {
    mkdir -p "$BUNDLE/rootfs/home/ro"
    cfg '.linux.readonlyPaths += ["/home/ro"]'
    set_args sh -c '
        echo other > /proc/sys/kernel/hostname 2>/dev/null && echo W:proc-sys
        touch /home/ro/x 2>/dev/null && echo W:home-ro
        touch /root/x && echo W:root
        grep -E " /proc/sys | /proc/sysrq-trigger | /home/ro " /proc/self/mountinfo | cut -d" " -f5,6'
    run_container
    [ "$status" -eq 0 ]
    [[ $output != *W:proc-sys* ]]
    [[ $output != *W:home-ro* ]]
    [[ $output == *W:root* ]]
    local mp
    local paths=(/proc/sys /home/ro)
    [ -e /proc/sysrq-trigger ] && paths+=(/proc/sysrq-trigger)   # absent on kernels without CONFIG_MAGIC_SYSRQ
    for mp in "${paths[@]}"; do
        [[ $(grep "^$mp " <<< "$output") =~ ^$mp\ ro(,|$) ]] || {
            echo "$mp is not a read-only mount: $output"
            return 1
        }
    done
}

@test "root.readonly: / cannot be written, tmpfs mounts still can" {
    cfg '.root.readonly = true'
    set_args sh -c 'touch /x 2>/dev/null && echo W:root; touch /dev/shm/x && echo W:shm'
    run_container
    [ "$status" -eq 0 ]
    [[ $output != *W:root* ]]
    [[ $output == *W:shm* ]]
    [ ! -e "$BUNDLE/rootfs/x" ]
}

@test "bind mounts: ro stays read-only, rw writes through to the host" {
    mkdir -p "$BATS_TEST_TMPDIR/ro" "$BATS_TEST_TMPDIR/rw"
    echo from-host > "$BATS_TEST_TMPDIR/ro/file"
    cfg '.mounts += [
        {destination: "/mnt/ro", type: "bind", source: $ro, options: ["rbind", "ro"]},
        {destination: "/mnt/rw", type: "bind", source: $rw, options: ["rbind", "rw", "nosuid", "nodev"]}
    ]' --arg ro "$BATS_TEST_TMPDIR/ro" --arg rw "$BATS_TEST_TMPDIR/rw"
    set_args sh -c 'cat /mnt/ro/file; echo x > /mnt/ro/new 2>/dev/null && echo W:ro; echo from-container > /mnt/rw/out'
    run_container
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = from-host ]
    [[ $output != *W:ro* ]]
    [ ! -e "$BATS_TEST_TMPDIR/ro/new" ]
    [ "$(cat "$BATS_TEST_TMPDIR/rw/out")" = from-container ]
}

@test "bind mounts: a mount destination that is a symlink cannot escape the rootfs" {
    mkdir -p "$BATS_TEST_TMPDIR/src" "$BATS_TEST_TMPDIR/escape-target"
    echo payload > "$BATS_TEST_TMPDIR/src/file"
    # An absolute symlink planted in the image pointing at a host directory.
    ln -s "$BATS_TEST_TMPDIR/escape-target" "$BUNDLE/rootfs/mnt/link"
    cfg '.mounts += [{destination: "/mnt/link", type: "bind", source: $s, options: ["rbind", "ro"]}]' \
        --arg s "$BATS_TEST_TMPDIR/src"
    set_args true
    id=$(new_id)
    rt_files run --bundle "$BUNDLE" "$id"
    # Whatever the runtime chose (resolve inside the rootfs, or refuse), the host directory got no mount.
    [ -z "$(ls -A "$BATS_TEST_TMPDIR/escape-target")" ]
    ! grep -q " $BATS_TEST_TMPDIR/escape-target " /proc/self/mountinfo
}

@test "tmpfs mount: mode and size options apply" {
    # A destination the image does not have: runc gives a tmpfs the mode of an existing directory it covers.
    cfg '.mounts += [{destination: "/tmpfs-under-test", type: "tmpfs", source: "tmpfs",
        options: ["mode=700", "size=1m", "nosuid"]}]'
    set_args sh -c \
        'stat -c %a /tmpfs-under-test; df -k /tmpfs-under-test | tail -n 1; grep " /tmpfs-under-test " /proc/self/mountinfo'
    run_container
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 700 ]
    [ "$(awk '{ print $2 }' <<< "${lines[1]}")" = 1024 ]
    [[ ${lines[2]} == *nosuid* ]]
}

@test "tmpfs mount with tmpcopyup: starts with a copy of the image's tree, symlinks copied, not followed" {
    [[ $(runtime_name) != runc ]] || skip "tmpcopyup is crun's option; runc does not know it"
    local data="$BUNDLE/rootfs/data"
    mkdir -p "$data/sub/deeper"
    echo top > "$data/file"
    chmod 640 "$data/file"
    head -c 200000 /dev/urandom > "$data/sub/deeper/big"
    chmod 750 "$data/sub"
    # A link pointing out of the rootfs on the host: copied as a link, so its target is read inside the container.
    ln -s /etc/hostname "$data/link"
    local sum
    sum=$(md5sum < "$data/sub/deeper/big")
    cfg '.mounts += [{destination: "/data", type: "tmpfs", source: "tmpfs", options: ["tmpcopyup"]}]'
    set_args sh -c '
        grep -q " /data .* - tmpfs " /proc/self/mountinfo && echo tmpfs
        cat /data/file; stat -c "%a %n" /data/file /data/sub
        md5sum < /data/sub/deeper/big
        readlink /data/link
        echo new > /data/file && cat /data/file'
    run_container
    echo "$output"; echo "$stderr"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = tmpfs ]
    [ "${lines[1]}" = top ]
    [ "${lines[2]}" = "640 /data/file" ]
    [ "${lines[3]}" = "750 /data/sub" ]
    [ "${lines[4]}" = "$sum" ]
    [ "${lines[5]}" = /etc/hostname ]
    [ "${lines[6]}" = new ]
    # The write went to the tmpfs, not to the image.
    [ "$(cat "$data/file")" = top ]
}

@test "default /dev: null zero full random urandom tty, ptmx, fd links, shm" {
    set_args sh -c '
        for d in null zero full random urandom tty; do
            echo "$d $(stat -c "%F %t:%T" /dev/$d)"
        done
        [ -e /dev/ptmx ] && echo ptmx
        echo "fd $(readlink /dev/fd) $(readlink /dev/stdin) $(readlink /dev/stdout) $(readlink /dev/stderr)"
        [ -d /dev/shm ] && echo shm
        echo x > /dev/null && echo null-writable
        echo "zero $(head -c 8 /dev/zero | wc -c)"
        echo "urandom $(head -c 8 /dev/urandom | wc -c)"'
    run_container
    [ "$status" -eq 0 ]
    [[ $output == *"null character special file 1:3"* ]]
    [[ $output == *"zero character special file 1:5"* ]]
    [[ $output == *"full character special file 1:7"* ]]
    [[ $output == *"random character special file 1:8"* ]]
    [[ $output == *"urandom character special file 1:9"* ]]
    [[ $output == *"tty character special file 5:0"* ]]
    [[ $output == *ptmx* ]]
    [[ $output == *"fd /proc/self/fd /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2"* ]]
    [[ $output == *shm* ]]
    [[ $output == *null-writable* ]]
    [[ $output == *"zero 8"* ]]
    [[ $output == *"urandom 8"* ]]
}

@test "default /dev: host devices are not there" {
    set_args sh -c 'ls /dev'
    run_container
    [ "$status" -eq 0 ]
    [[ " $(echo $output) " != *" vda "* ]]
    [[ " $(echo $output) " != *" kmsg "* ]]
    [[ " $(echo $output) " != *" mem "* ]]
}

@test "linux.devices: a configured device node is created with its type, numbers, mode and owner" {
    cfg '.linux.devices = [{path: "/dev/mynull", type: "c", major: 1, minor: 3, fileMode: 438, uid: 1000, gid: 1000}]
        | .linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 3, access: "rwm"}]'
    set_args sh -c 'stat -c "%F %t:%T %a %u:%g" /dev/mynull; echo x > /dev/mynull && echo usable'
    run_container
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "character special file 1:3 666 1000:1000" ]
    [ "${lines[1]}" = usable ]
}

@test "cwd: the process starts in process.cwd inside the rootfs" {
    mkdir -p "$BUNDLE/rootfs/work/dir"
    cfg '.process.cwd = "/work/dir"'
    set_args pwd
    run_container
    [ "$status" -eq 0 ]
    [ "$output" = /work/dir ]
}

@test "--no-pivot: the rootfs is still the root and host files stay invisible" {
    echo host-only > "$BUNDLE/host-marker"
    set_args sh -c '[ -e /host-marker ] || [ -e /../host-marker ] && echo visible; ls /bin/busybox'
    id=$(new_id)
    run --separate-stderr rt run --no-pivot --bundle "$BUNDLE" "$id"
    [ "$status" -eq 0 ]
    [ "$output" = /bin/busybox ]
}

@test "a mount destination that is a symlink to a missing path is created inside the root, as runc does" {
    [[ $(runtime_name) == crun ]] && skip "crun 1.8 fails: openat2 mnt/link: No such file or directory"
    mkdir -p "$BUNDLE/rootfs/mnt"
    ln -s /data/missing "$BUNDLE/rootfs/mnt/link"
    ln -s ../../../outside-$$ "$BUNDLE/rootfs/mnt/up"
    cfg '.mounts += [{destination: "/mnt/link", type: "tmpfs", source: "tmpfs"}, {destination: "/mnt/up", type: "tmpfs", source: "tmpfs"}]'
    set_args sh -c 'grep -E " /data/missing | /outside-[0-9]+ " /proc/self/mountinfo | cut -d" " -f5'
    id=$(new_id)
    rt_files run --bundle "$BUNDLE" "$id"
    echo "$stderr"
    [ "$status" -eq 0 ]
    [[ $output == *"/data/missing"* ]]
    # "../../../outside" is resolved inside the root: created there, never next to the bundle on the host.
    [[ $output == *"/outside-$$"* ]]
    [ -d "$BUNDLE/rootfs/outside-$$" ]
    [ ! -e "$BATS_TEST_TMPDIR/outside-$$" ] && [ ! -e "/outside-$$" ]
}
