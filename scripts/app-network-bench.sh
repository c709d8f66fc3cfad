#!/usr/bin/env bash
# What a Tau app's route out costs (docs/permissions.md, "The route out"): throughput and connect+request latency to a
# server on a host address, from the host's network namespace (what a granted `network` used to be) and from a
# network-granted Tau app (its own namespace, slirp4netns started by its createRuntime hook), and with pasta (passt)
# for comparison when it is installed; then the start time the route adds to `taurun run`. Run as root:
#
#   scripts/app-network-bench.sh [TAURUN] [ROOTFS]
#
# The server is busybox httpd on 198.18.49.1, an address on a veth pair of the script's own (no internet needed).
set -euo pipefail
cd "$(dirname "$0")/.."
taurun=$(realpath "${1:-.build/release/taurun}")
rootfs=$(realpath "${2:-build/rootfs}")
addr=198.18.49.1 port=18049
w=$(mktemp -d /tmp/app-network-bench.XXXXXX)
chmod 755 "$w"
cleanup() {
    [[ -f $w/httpd.pid ]] && kill "$(cat "$w/httpd.pid")" 2> /dev/null
    ip link del tau-bench0 2> /dev/null
    rm -rf "$w"
}
trap cleanup EXIT

ip link add tau-bench0 type veth peer name tau-bench1
ip addr add "$addr/32" dev tau-bench0
ip link set tau-bench1 up
ip link set tau-bench0 up
mkdir -p "$w/www"
head -c $((50 << 20)) /dev/urandom > "$w/www/big"
echo hello > "$w/www/small"
busybox httpd -f -p "$addr:$port" -h "$w/www" &
echo $! > "$w/httpd.pid"
sleep 0.2

mkdir -p "$w/rootfs"
cp -a "$rootfs/." "$w/rootfs/"
mkdir -p "$w/rootfs/app/bin"
cc -static -O2 -o "$w/rootfs/app/bin/client" scripts/app-network-client.c
client="$w/rootfs/app/bin/client"
for app in net nonet; do
    mkdir -p "$w/$app"
    printf 'id = "org.tauos.bench%s"\ncommand = ["/bin/true"]\n' "$app" > "$w/$app/tau.toml"
done
printf '[permissions]\nnetwork = true\n' >> "$w/net/tau.toml"
"$taurun" convert --state-dir "$w/state" --rootfs "$w/rootfs" "$w/net/tau.toml" --bundle "$w/net/bundle" --grant network > /dev/null
"$taurun" convert --state-dir "$w/state" --rootfs "$w/rootfs" "$w/nonet/tau.toml" --bundle "$w/nonet/bundle" > /dev/null

# pasta (Debian package passt) as root needs --runas 0; --no-map-gw keeps the host's loopback out as
# --disable-host-loopback does for slirp4netns.
in_pasta() {
    pasta --runas 0 --no-map-gw --config-net --quiet -- "$@" 2> /dev/null || echo "pasta failed"
}

in_app() {
    jq --args '.process.args = $ARGS.positional' "$@" < "$w/net/bundle/config.json" > "$w/net/bundle/config.json.new"
    mv "$w/net/bundle/config.json.new" "$w/net/bundle/config.json"
    "$taurun" run --bundle "$w/net/bundle" "bench-$$" < /dev/null
}

echo "== throughput: 50 MB GET, median of 5"
echo "host netns:           $("$client" get "$addr" "$port" /big 5)"
echo "Tau app (slirp4netns): $(in_app /app/bin/client get "$addr" "$port" /big 5)"
if command -v pasta > /dev/null; then
    echo "pasta:                $(in_pasta "$client" get "$addr" "$port" /big 5)"
fi
echo "== connect + request + response of 6 bytes, 500 times"
echo "host netns:           $("$client" rr "$addr" "$port" /small 500)"
echo "Tau app (slirp4netns): $(in_app /app/bin/client rr "$addr" "$port" /small 500)"
if command -v pasta > /dev/null; then
    echo "pasta:                $(in_pasta "$client" rr "$addr" "$port" /small 500)"
fi

echo "== taurun run of /bin/true: with the route, and the same app without network"
for app in net nonet; do
    jq '.process.args = ["/bin/true"]' < "$w/$app/bundle/config.json" > "$w/$app/bundle/config.json.new"
    mv "$w/$app/bundle/config.json.new" "$w/$app/bundle/config.json"
done
hyperfine -N --warmup 3 --runs "${RUNS:-40}" --export-markdown "$w/start.md" \
    -n "network (route)" "$taurun run --bundle $w/net/bundle bench-start-$$" \
    -n "no network" "$taurun run --bundle $w/nonet/bundle bench-start-$$" > /dev/null
cat "$w/start.md"
