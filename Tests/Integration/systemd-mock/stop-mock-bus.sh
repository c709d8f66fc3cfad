#!/bin/sh
# Stops what start-mock-bus.sh DIR started (by the recorded pids only).
dir=$1
for f in mock.pid daemon.pid; do
    [ -s "$dir/$f" ] && kill "$(cat "$dir/$f")" 2>/dev/null
    rm -f "$dir/$f"
done
exit 0
