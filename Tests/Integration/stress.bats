#!/usr/bin/env bats
# Many containers in a row leave nothing behind: no mounts, cgroups, state entries or processes. Mounts are checked by
# what they point at (the test's directory), not by counting the host's mounts: other work on the host mounts too.

load helpers

@test "200 sequential containers (run) leave no mounts, cgroups, state dirs or processes" {
    set_args true
    local prefix="trt-seq-$$-$RANDOM" i failures=0
    for i in $(seq 1 200); do
        if ! rt run --bundle "$BUNDLE" "$prefix-$i" < /dev/null > /dev/null 2> "$BATS_TEST_TMPDIR/err"; then
            failures=$((failures + 1))
            echo "run $i failed: $(cat "$BATS_TEST_TMPDIR/err")"
        fi
    done
    [ "$failures" -eq 0 ]
    [ -z "$(rt list -q)" ]
    [ -z "$(ls -A "$STATE_ROOT")" ] || { ls -la "$STATE_ROOT"; return 1; }
    # The prefix matches every one of the 200 ids in the cgroup and process scans.
    assert_no_leftovers "$prefix"
}

@test "50 sequential create/start/kill/delete cycles leave nothing" {
    set_args sleep 100
    local prefix="trt-cyc-$$-$RANDOM" i id
    for i in $(seq 1 50); do
        id="$prefix-$i"
        rt create --bundle "$BUNDLE" "$id" < /dev/null > /dev/null
        rt start "$id"
        rt kill "$id" KILL
        wait_status "$id" stopped
        rt delete "$id"
    done
    [ -z "$(rt list -q)" ]
    [ -z "$(ls -A "$STATE_ROOT")" ]
    assert_no_leftovers "$prefix"
}

@test "20 containers alive at once, then delete --force of all, leave nothing" {
    set_args sleep 100
    local prefix="trt-par-$$-$RANDOM" i
    for i in $(seq 1 20); do
        rt run --detach --bundle "$BUNDLE" "$prefix-$i" < /dev/null > /dev/null
    done
    [ "$(rt list -q | wc -l)" -eq 20 ]
    [ "$(rt list --format json | jq '[.[] | select(.status == "running")] | length')" -eq 20 ]
    for i in $(seq 1 20); do
        rt delete --force "$prefix-$i"
    done
    [ -z "$(rt list -q)" ]
    [ -z "$(ls -A "$STATE_ROOT")" ]
    assert_no_leftovers "$prefix"
}
