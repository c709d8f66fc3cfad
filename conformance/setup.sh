#!/usr/bin/env bash
# Prepares this host for the conformance suites (run as root; idempotent):
#   - Debian packages: podman, conmon, containerd, docker.io (dockerd 20.10 and its client /usr/bin/docker),
#     golang-go (runtime-tools), busybox-static, bats, jq, bc, util-linux (script(1) for real ptys). On a host with
#     systemd, installing docker.io also enables docker.service; conformance/docker.bats starts its own dockerd.
#   - /etc/containers/containers.conf with `[containers] default_ulimits = []` when the file is absent: Podman's
#     built-in default asks for RLIMIT_NOFILE 1048576, which this host's hard limit refuses (with runc as well)
#   - the local image localhost/taurun-busybox:latest, imported with `podman import` from the busybox-static rootfs
#     (scripts/rootfs.sh), and build/conformance/busybox.oci.tar, the same image as an OCI archive for containerd.
#     Nothing is pulled.
#   - taurun at /usr/local/bin/taurun, when TAURUN names a freshly built binary (Podman needs a stable path)
#
# usage: conformance/setup.sh                  (TAURUN=path/to/taurun to install that binary too)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
image=localhost/taurun-busybox:latest
work=$repo/build/conformance

if [[ $(id -u) != 0 ]]; then
    echo "setup.sh: run as root" >&2
    exit 1
fi

need=()
for pair in podman:podman conmon:conmon containerd:containerd ctr:containerd go:golang-go bats:bats jq:jq bc:bc \
            script:bsdutils; do
    command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
# By path: docker.bats uses Debian's client, not another `docker` earlier in PATH.
[[ -x /usr/sbin/dockerd && -x /usr/bin/docker ]] || need+=(docker.io)
[[ -x /bin/busybox ]] && ! ldd /bin/busybox >/dev/null 2>&1 || need+=(busybox-static)
if ((${#need[@]} > 0)); then
    echo "installing: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [[ ! -e /etc/containers/containers.conf ]]; then
    mkdir -p /etc/containers
    printf '[containers]\ndefault_ulimits = []\n' > /etc/containers/containers.conf
    echo "wrote /etc/containers/containers.conf (default_ulimits = [])"
fi

if [[ -n ${TAURUN:-} ]]; then
    install -D -m 0755 "$TAURUN" /usr/local/bin/taurun
    echo "installed $TAURUN as /usr/local/bin/taurun"
fi

mkdir -p "$work"
"$repo/scripts/rootfs.sh" "$repo/build/rootfs"
# Re-import only when the rootfs changed (its stamp is the busybox + script checksum).
stamp=$(cat "$repo/build/rootfs/.taurun-rootfs")
if [[ $(podman image inspect --format '{{index .Labels "taurun.rootfs"}}' "$image" 2>/dev/null || true) != "$stamp" ]]; then
    tar -C "$repo/build/rootfs" --exclude ./.taurun-rootfs -c . \
        | podman import --change "LABEL taurun.rootfs=$stamp" --change 'CMD ["/bin/sh"]' - "$image" >/dev/null
    rm -f "$work/busybox.oci.tar"
    echo "imported $image"
fi
if [[ ! -f $work/busybox.oci.tar ]]; then
    podman save --format oci-archive -o "$work/busybox.oci.tar" "$image" 2>/dev/null
    echo "saved $work/busybox.oci.tar"
fi
