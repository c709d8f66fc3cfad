#!/bin/sh
# Starts a private dbus-daemon and the mock systemd on it (for taurun's --systemd-cgroup tests).
# Usage: start-mock-bus.sh DIR [mock options: --hierarchy H ... --mirror --start-result R --signal-before-reply]
# Prints the bus address (for TAURUN_SYSTEMD_BUS); DIR/daemon.pid and DIR/mock.pid name the two processes,
# DIR/calls.jsonl receives one JSON line per manager call. Stop with stop-mock-bus.sh DIR.
set -eu
dir=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
rm -f "$dir/bus" "$dir/ready" "$dir/calls.jsonl"
: > "$dir/calls.jsonl"
address="unix:path=$dir/bus"
dbus-daemon --session --address="$address" --fork --print-pid=3 3>"$dir/daemon.pid" >/dev/null
i=0; while [ ! -S "$dir/bus" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
/usr/bin/python3 "$here/mock_systemd.py" --address "$address" --record "$dir/calls.jsonl" --ready "$dir/ready" "$@" \
    >"$dir/mock.log" 2>&1 &
echo $! > "$dir/mock.pid"
i=0; while [ ! -s "$dir/ready" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
[ -s "$dir/ready" ] || { cat "$dir/mock.log" >&2; exit 1; }
echo "$address"
