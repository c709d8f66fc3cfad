#!/usr/bin/env bats
# Attacks from inside the container on the runtime itself: overwriting the runtime binary through /proc/PID/exe
# (CVE-2019-5736) and escaping through a leaked host fd as the working directory (CVE-2024-21626). Also what happens
# to an AppArmor profile on a kernel that cannot enforce it.

load helpers

@test "CVE-2019-5736: a container process cannot open the runtime binary through /proc/PID/exe" {
    # The runtime under test is a copy: were it vulnerable, only the copy would be overwritten.
    mkdir -p "$BATS_TEST_TMPDIR/bin"
    local rtbin="$BATS_TEST_TMPDIR/bin/$(runtime_name)"
    cp "$(command -v "$RUNTIME")" "$rtbin"
    local before
    before=$(sha256sum < "$rtbin")
    SHARED="$BATS_TEST_TMPDIR/shared"
    mkdir -p "$SHARED"
    cfg '.mounts += [{destination: "/shared", type: "bind", source: $s, options: ["rbind", "rw"]}]' --arg s "$SHARED"
    # The attacker (root in the container) watches for any process that is not one of the image's binaries (the
    # runtime entering the container for exec), holds its exe open, and writes through it once the runtime is gone.
    set_args sh -c '
        end=$(( $(date +%s) + 15 ))
        while [ $(date +%s) -lt $end ]; do
            for p in /proc/[0-9]*; do
                [ "$p" = /proc/1 ] || [ "$p" = /proc/$$ ] && continue
                if ! exe=$(readlink $p/exe 2>/dev/null); then
                    [ -e $p ] && echo "protected $p" >> /shared/log
                    continue
                fi
                case $exe in /bin/*|/usr/bin/*|/sbin/*|/usr/sbin/*) continue ;; esac
                if exec 3< $p/exe; then
                    echo "opened $p $exe" >> /shared/log
                    sleep 1
                    echo CORRUPTED >> /proc/self/fd/3 2>> /shared/log && echo WROTE >> /shared/log
                    exec 3<&-
                fi
            done
        done'
    id=$(new_id)
    "$rtbin" --root "$STATE_ROOT" run --detach --bundle "$BUNDLE" "$id" < /dev/null > /dev/null 2>&1
    local i
    for i in $(seq 1 40); do
        "$rtbin" --root "$STATE_ROOT" exec "$id" true < /dev/null > /dev/null 2>&1 || true
    done
    sleep 1.5
    echo "attacker saw: $(cut -d' ' -f1 "$SHARED/log" 2>/dev/null | sort | uniq -c | tr '\n' ' ')"
    [ "$(sha256sum < "$rtbin")" = "$before" ]
    ! grep -q WROTE "$SHARED/log"
    # The attack was really tried: the runtime's processes were seen inside the container.
    grep -qE '^(protected|opened) ' "$SHARED/log"
}

@test "CVE-2024-21626: a leaked fd as process.cwd gives no way out to the host" {
    echo host-only > "$BATS_TEST_TMPDIR/host-marker"
    local up
    up=$(printf '../%.0s' $(seq 1 20))
    local fd rc
    for fd in 3 4 5 6 7 8 9 10; do
        cfg '.process.cwd = $c' --arg c "/proc/self/fd/$fd"
        set_args sh -c 'cat '"$up${BATS_TEST_TMPDIR#/}"'/host-marker 2>/dev/null && echo ESCAPED; true'
        id=$(new_id)
        rt_files run --bundle "$BUNDLE" "$id"
        [[ $output != *ESCAPED* ]] || { echo "escaped through fd $fd: $output"; return 1; }
        rt delete --force "$id" > /dev/null 2>&1 || true
    done
}

@test "AppArmor profile on a kernel without the LSM: taurun starts without it and audits the skip" {
    grep -qs '^Y' /sys/module/apparmor/parameters/enabled && skip "AppArmor is enabled here: the profile would be applied"
    # runc 1.1 and crun 1.8 refuse such a config on this host (docs/permissions.md): this is taurun's documented choice.
    is_taurun || skip "$(runtime_name) refuses a profile it cannot apply"
    cfg '.process.apparmorProfile = "taurun-test-profile"'
    set_args sh -c 'cat /proc/self/attr/current 2>&1; echo ran'
    id=$(new_id)
    rt_files run --bundle "$BUNDLE" "$id"
    [ "$status" -eq 0 ]
    [[ "$output" == *ran* ]]
    run jq -r --arg c "$id" 'select(.container == $c and .event == "lsm-skipped") | .message' "$TAURUN_AUDIT_LOG"
    [ "$output" = "container $id runs without AppArmor profile taurun-test-profile: AppArmor is not enabled in this kernel" ]
}

@test "--require-lsm: a profile this kernel cannot enforce is E_SANDBOX_UNAVAILABLE, and nothing is left" {
    grep -qs '^Y' /sys/module/apparmor/parameters/enabled && skip "AppArmor is enabled here"
    is_taurun || skip "--require-lsm is taurun's flag"
    cfg '.process.apparmorProfile = "taurun-test-profile"'
    id=$(new_id)
    rt_files --require-lsm run --bundle "$BUNDLE" "$id"
    [ "$status" -eq 1 ]
    [ "$stderr" = "taurun: E_SANDBOX_UNAVAILABLE: AppArmor is not enabled in this kernel" ]
    [ ! -e "$STATE_ROOT/$id" ]
    assert_no_leftovers "$id"
    # Without a profile to enforce, --require-lsm changes nothing.
    cfg 'del(.process.apparmorProfile)'
    rt_files --require-lsm run --bundle "$BUNDLE" "$id"
    [ "$status" -eq 0 ]
}
