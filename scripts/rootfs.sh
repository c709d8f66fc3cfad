#!/usr/bin/env bash
# Builds a minimal root filesystem from Debian's busybox-static: /bin/busybox, one symlink per applet,
# a passwd/group with root, app (1000:1000) and nobody, and the empty directories a container expects.
# Idempotent: an existing rootfs built from the same busybox by the same script is left alone (a stamp records
# their checksum).
set -euo pipefail

dest=${1:?usage: rootfs.sh DEST}
busybox=${BUSYBOX:-/bin/busybox}

if [[ ! -x $busybox ]]; then
    echo "rootfs.sh: $busybox not found (apt-get install busybox-static)" >&2
    exit 1
fi
if ! "$busybox" --list >/dev/null 2>&1 || ldd "$busybox" >/dev/null 2>&1; then
    echo "rootfs.sh: $busybox is not a static busybox (apt-get install busybox-static)" >&2
    exit 1
fi

stamp="$dest/.taurun-rootfs"
# The stamp covers busybox and this script, so a change to either rebuilds.
sum=$(cat "$busybox" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)
# The listing of the tree (names, types, modes, owners) is part of the check, so a rootfs that something wrote into
# (a test that used it directly as a bundle's root and created mount points in it) is rebuilt too.
tree_listing() {
    (cd "$1" && find . -path ./.taurun-rootfs -prune -o -printf '%p %y %m %U:%G\n' | LC_ALL=C sort | sha256sum)
}
if [[ -f $stamp && -x $dest/bin/busybox && $(cat "$stamp") == "$sum $(tree_listing "$dest")" ]]; then
    exit 0
fi

# Build next to the destination and swap it in, so an interrupted build never leaves a half rootfs behind.
tmp="$dest.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

for d in bin sbin usr/bin usr/sbin proc sys dev tmp etc home home/app root run var var/tmp mnt; do
    mkdir -p "$tmp/$d"
done
chmod 1777 "$tmp/tmp" "$tmp/var/tmp"
chmod 0700 "$tmp/root"
chown 1000:1000 "$tmp/home/app"

install -m 0755 "$busybox" "$tmp/bin/busybox"
# `busybox --list-full` gives each applet's conventional directory (bin/, sbin/, usr/bin/, usr/sbin/).
"$busybox" --list-full | while read -r applet; do
    [[ $applet == bin/busybox || $applet != */* ]] && continue   # busybox itself; linuxrc (an initrd's /linuxrc)
    dir=${applet%/*}
    # A relative link that works inside the container: bin/x -> busybox, usr/sbin/x -> ../../bin/busybox.
    if [[ $dir == bin ]]; then
        target=busybox
    else
        up=${dir//[^\/]/}
        target=$(printf '../%.0s' $(seq 0 ${#up}))bin/busybox
    fi
    ln -sfn "$target" "$tmp/$applet"
done

cat > "$tmp/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
app:x:1000:1000:app:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > "$tmp/etc/group" <<'GROUP'
root:x:0:
wheel:x:10:
app:x:1000:
nogroup:x:65534:
GROUP
: > "$tmp/etc/hostname"
: > "$tmp/etc/resolv.conf"
: > "$tmp/etc/hosts"
echo "$sum $(tree_listing "$tmp")" > "$tmp/.taurun-rootfs"

# Never delete through a mount: a container using this rootfs directly may have mounts below it.
if [[ -e $dest ]]; then
    real=$(realpath "$dest")
    if awk -v d="$real" '$5 == d || index($5, d "/") == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
        echo "rootfs.sh: something is mounted below $real; not replacing it (unmount first)" >&2
        exit 1
    fi
    rm -rf --one-file-system "$dest"
fi
mv "$tmp" "$dest"
trap - EXIT
