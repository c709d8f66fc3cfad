#!/usr/bin/env bats
# OCI hooks: the six kinds run in lifecycle order with the state on stdin, their args and env; a failing or
# timed-out createRuntime/prestart hook makes create fail and leaves nothing behind.

load helpers

# Hooks log into $HOOKDIR, which is bind-mounted into the container at the same path: createContainer and
# startContainer hooks run in the container's mount namespace (before or after pivot_root), the others on the host,
# and all of them can reach $HOOKDIR/log.
setup_hooks() {
    HOOKDIR="$BATS_TEST_TMPDIR/hooks"
    mkdir -p "$HOOKDIR"
    chmod 777 "$HOOKDIR"
    cfg '.mounts += [{destination: $d, type: "bind", source: $d, options: ["rbind", "rw"]}]' --arg d "$HOOKDIR"
    local kind hooks='{}'
    for kind in prestart createRuntime createContainer startContainer poststart poststop; do
        hooks=$(jq --arg k "$kind" --arg d "$HOOKDIR" '.[$k] = [{
            path: "/bin/sh",
            args: ["sh", "-c", "cat > \($d)/\($k).json; echo \($k) >> \($d)/log"],
            env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]
        }]' <<< "$hooks")
    done
    cfg '.hooks = $h' --argjson h "$hooks"
}

@test "hooks: all six run in lifecycle order" {
    skip_on_runc_1_1 "runc 1.1 runs poststart hooks during create, before start (fixed in runc 1.2)"
    setup_hooks
    # A slow startContainer hook: poststart must still wait for it (and the exec after it), however long it takes.
    cfg '.hooks.startContainer[0].args[2] = "sleep 0.5; " + .hooks.startContainer[0].args[2]'
    set_args sh -c 'echo process >> '"$HOOKDIR"'/log'
    id=$(new_id)
    rt create --bundle "$BUNDLE" "$id"
    echo "after create: $(echo $(cat "$HOOKDIR/log"))"
    [ "$(echo $(cat "$HOOKDIR/log"))" = "prestart createRuntime createContainer" ]
    rt start "$id"
    wait_status "$id" stopped
    rt delete "$id"
    echo "after delete: $(echo $(cat "$HOOKDIR/log"))"
    [ "$(echo $(cat "$HOOKDIR/log"))" = \
        "prestart createRuntime createContainer startContainer process poststart poststop" ] || \
    [ "$(echo $(cat "$HOOKDIR/log"))" = \
        "prestart createRuntime createContainer startContainer poststart process poststop" ]
}

@test "hooks: each hook gets the container state on stdin" {
    setup_hooks
    set_args true
    id=$(new_id)
    rt create --bundle "$BUNDLE" "$id"
    local pid
    pid=$(rt state "$id" | jq -r .pid)
    rt start "$id"
    wait_status "$id" stopped
    rt delete "$id"
    local kind
    for kind in prestart createRuntime createContainer startContainer poststart poststop; do
        [ -s "$HOOKDIR/$kind.json" ] || { echo "$kind: no state on stdin"; return 1; }
        [ "$(jq -r .id "$HOOKDIR/$kind.json")" = "$id" ] || { echo "$kind: wrong id"; return 1; }
        [ "$(jq -r .bundle "$HOOKDIR/$kind.json")" = "$BUNDLE" ] || { echo "$kind: wrong bundle"; return 1; }
        jq -e '.ociVersion | length > 0' "$HOOKDIR/$kind.json" > /dev/null
    done
    for kind in prestart createRuntime poststart; do
        [ "$(jq -r .pid "$HOOKDIR/$kind.json")" = "$pid" ] || { echo "$kind: wrong pid"; return 1; }
    done
    # createContainer and startContainer run inside the container's namespaces, where its pid may be shown as 1.
    for kind in createContainer startContainer; do
        [[ $(jq -r .pid "$HOOKDIR/$kind.json") == @("$pid"|1) ]] || { echo "$kind: wrong pid"; return 1; }
    done
    [ "$(jq -r .status "$HOOKDIR/poststop.json")" = stopped ]
}

@test "hooks: args and env are passed as configured" {
    HOOKDIR="$BATS_TEST_TMPDIR/hooks"
    mkdir -p "$HOOKDIR"
    cfg '.hooks.createRuntime = [{
        path: "/bin/sh",
        args: ["sh", "-c", "echo \"$0|$1|$HOOK_VAR|$PATH\" > \($d)/out", "first", "second"],
        env: ["HOOK_VAR=hook value", "PATH=/hook/bin"]
    }]' --arg d "$HOOKDIR"
    set_args true
    id=$(new_id)
    rt create --bundle "$BUNDLE" "$id"
    [ "$(cat "$HOOKDIR/out")" = "first|second|hook value|/hook/bin" ]
}

@test "hooks: a hook without env inherits the runtime's environment; with env it gets exactly that" {
    HOOKDIR="$BATS_TEST_TMPDIR/hooks"
    mkdir -p "$HOOKDIR"
    cfg '.hooks.createRuntime = [
        {path: "/bin/sh", args: ["sh", "-c", "echo \"inherit=$RUNTIME_SIDE_VAR\" > \($d)/no-env"]},
        {path: "/bin/sh", args: ["sh", "-c", "echo \"inherit=$RUNTIME_SIDE_VAR\" > \($d)/with-env"], env: ["X=1"]}
    ]' --arg d "$HOOKDIR"
    set_args true
    id=$(new_id)
    RUNTIME_SIDE_VAR=from-the-caller rt create --bundle "$BUNDLE" "$id"
    [ "$(cat "$HOOKDIR/no-env")" = "inherit=from-the-caller" ]
    [ "$(cat "$HOOKDIR/with-env")" = "inherit=" ]
}

hook_failure_leaves_nothing() {
    local kind=$1 script=$2 timeout=${3:-}
    HOOKDIR="$BATS_TEST_TMPDIR/hooks"
    mkdir -p "$HOOKDIR"
    local hook
    hook=$(jq -n --arg s "$script" --arg d "$HOOKDIR" '{path: "/bin/sh", args: ["sh", "-c", $s]}')
    [ -n "$timeout" ] && hook=$(jq --argjson t "$timeout" '.timeout = $t' <<< "$hook")
    cfg '.hooks[$k] = [$h] | .hooks.poststop = [{path: "/bin/sh", args: ["sh", "-c", "echo poststop >> \($d)/log"]}]' \
        --arg k "$kind" --argjson h "$hook" --arg d "$HOOKDIR"
    set_args sleep 100
    id=$(new_id)
    local start=$SECONDS
    rt_files create --bundle "$BUNDLE" "$id"
    [ "$status" -ne 0 ]
    [ -n "$stderr" ]
    echo "$stderr"
    (( SECONDS - start < 15 ))
    run rt state "$id"
    [ "$status" -ne 0 ]
    [ -z "$(rt list -q)" ]
    assert_no_leftovers "$id"
}

@test "hooks: a failing createRuntime hook makes create fail and leaves nothing" {
    hook_failure_leaves_nothing createRuntime 'exit 3'
}

@test "hooks: a failing prestart hook makes create fail and leaves nothing" {
    hook_failure_leaves_nothing prestart 'exit 1'
}

@test "hooks: a failing createContainer hook makes create fail and leaves nothing" {
    hook_failure_leaves_nothing createContainer 'exit 1'
}

@test "hooks: a createRuntime hook past its timeout is killed and create fails" {
    hook_failure_leaves_nothing createRuntime 'exec sleep 30' 1
}

@test "hooks: a hook whose path does not exist makes create fail and leaves nothing" {
    HOOKDIR="$BATS_TEST_TMPDIR/hooks"
    mkdir -p "$HOOKDIR"
    cfg '.hooks.createRuntime = [{path: "/nonexistent/hook"}]'
    set_args true
    id=$(new_id)
    rt_files create --bundle "$BUNDLE" "$id"
    [ "$status" -ne 0 ]
    [[ $stderr == *"/nonexistent/hook"* || $stderr == *"no such file"* ]]
    assert_no_leftovers "$id"
}

@test "hooks: a failing poststop hook does not stop delete" {
    cfg '.hooks.poststop = [{path: "/bin/sh", args: ["sh", "-c", "exit 1"]}]'
    set_args true
    id=$(new_id)
    rt create --bundle "$BUNDLE" "$id"
    rt start "$id"
    wait_status "$id" stopped
    rt_files delete "$id"
    run rt state "$id"
    [ "$status" -ne 0 ]
    assert_no_leftovers "$id"
}
