#!/usr/bin/env bash
# Installs the Debian packages taurun needs to build, run and test. Instant when everything is present: it asks dpkg
# first and runs `apt-get update` + `apt-get install` only for what is missing.
set -euo pipefail

packages=(
    # Runtimes to compare with, the test rootfs, the test and benchmark tools.
    runc crun busybox-static bats hyperfine jq python3 python3-jsonschema iproute2 util-linux procps e2fsprogs
    # The user-mode route out of a network-granted Tau app's own network namespace (docs/permissions.md, "network").
    slirp4netns
    # setfacl for granted session sockets; a D-Bus daemon and dbus-python for the systemd-driver tests' mock systemd.
    acl dbus-daemon python3-dbus
    # newuidmap/newgidmap: rootless user namespaces with more than one id (rootless tests, rootless Podman).
    uidmap
    # C libraries the Swift package links (system-library targets, found through pkg-config).
    libseccomp-dev libcap-dev libtomlplusplus-dev libapparmor-dev apparmor pkg-config
    # The runtime-spec JSON schema (config validation tests) and the conformance suite's needs.
    golang-github-opencontainers-specs-dev
    # What the Swift toolchain in /opt/swift needs on Debian 12.
    make binutils gcc git libc6-dev libgcc-12-dev libstdc++-12-dev libedit2 libncurses-dev
    libpython3-dev libsqlite3-0 libxml2-dev libz3-dev tzdata uuid-dev unzip zlib1g-dev ca-certificates
)

# One dpkg-query for all of them; a package dpkg has never heard of is simply absent from its output.
declare -A installed=()
while read -r status name; do
    [[ $status == ii ]] && installed[${name%%:*}]=1
done < <(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "${packages[@]}" 2>/dev/null || true)

missing=()
for pkg in "${packages[@]}"; do
    [[ -n ${installed[$pkg]:-} ]] || missing+=("$pkg")
done

if (( ${#missing[@]} == 0 )); then
    exit 0
fi
if (( EUID != 0 )); then
    echo "deps.sh: missing packages (${missing[*]}); run as root to install them" >&2
    exit 1
fi
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
