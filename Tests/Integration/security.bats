#!/usr/bin/env bats
# Escaping through a leaked host fd as the working directory (CVE-2024-21626), and what happens to an AppArmor
# profile on a kernel that cannot enforce it. The attacks on the runtime binary (CVE-2019-5736) are in escapes.bats,
# with the other escape classes.

load helpers

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
