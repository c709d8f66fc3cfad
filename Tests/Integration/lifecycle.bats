#!/usr/bin/env bats
# Lifecycle through the CLI: exit codes, create -> running -> stopped, kill, delete, duplicate ids, pid files, list,
# the JSON error log.

load helpers

# A host directory bind-mounted at /shared so the test can see what the container did and when.
share_dir() {
    SHARED="$BATS_TEST_TMPDIR/shared"
    mkdir -p "$SHARED"
    cfg '.mounts += [{destination: "/shared", type: "bind", source: $s, options: ["rbind", "rw"]}]' --arg s "$SHARED"
}

@test "run: exit code 0 of a successful process" {
    id=$(new_id)
    set_args true
    run rt run --bundle "$BUNDLE" "$id"
    [ "$status" -eq 0 ]
}

@test "run: exit code of the process is passed through (3, 1)" {
    id=$(new_id)
    set_args sh -c 'exit 3'
    run rt run --bundle "$BUNDLE" "$id"
    [ "$status" -eq 3 ]

    id=$(new_id)
    set_args false
    run rt run --bundle "$BUNDLE" "$id"
    [ "$status" -eq 1 ]
}

@test "run: stdout and stderr of the process reach the caller" {
    id=$(new_id)
    set_args sh -c 'echo to-stdout; echo to-stderr >&2'
    run --separate-stderr rt run --bundle "$BUNDLE" "$id"
    [ "$status" -eq 0 ]
    [ "$output" = "to-stdout" ]
    [ "$stderr" = "to-stderr" ]
}

@test "run: exits 128+9 when the container is killed with SIGKILL" {
    id=$(new_id)
    set_args sleep 100
    rt_bg run --bundle "$BUNDLE" "$id"
    local runpid=$BG_PID
    wait_status "$id" running
    rt kill "$id" KILL
    local rc=0
    wait "$runpid" || rc=$?
    [ "$rc" -eq 137 ]
}

@test "run: exits 128+N when the process kills itself (no pid namespace, SIGTERM)" {
    id=$(new_id)
    drop_ns pid
    set_args sh -c 'kill -TERM $$; sleep 5'
    run rt run --bundle "$BUNDLE" "$id"
    [ "$status" -eq 143 ]
}

@test "run: a signal sent to the run process is forwarded to the container" {
    id=$(new_id)
    set_args sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done'
    rt_bg run --bundle "$BUNDLE" "$id"
    local runpid=$BG_PID
    wait_status "$id" running
    sleep 0.3   # let the shell install its trap
    kill -TERM "$runpid"
    local rc=0
    wait "$runpid" || rc=$?
    [ "$rc" -eq 42 ]
}

@test "run --detach returns at once and leaves the container running" {
    id=$(new_id)
    set_args sleep 100
    rt_files run --detach --bundle "$BUNDLE" "$id"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    [ "$(rt state "$id" | jq -r .status)" = running ]
    rt kill "$id" KILL
    wait_status "$id" stopped
    rt delete "$id"
    run rt state "$id"
    [ "$status" -ne 0 ]
}

@test "run --keep keeps the stopped container until delete" {
    id=$(new_id)
    set_args true
    run rt run --keep --bundle "$BUNDLE" "$id"
    [ "$status" -eq 0 ]
    [ "$(rt state "$id" | jq -r .status)" = stopped ]
    rt delete "$id"
    run rt state "$id"
    [ "$status" -ne 0 ]
}

@test "run without --keep removes the container after it exits" {
    id=$(new_id)
    set_args true
    rt run --bundle "$BUNDLE" "$id"
    run rt state "$id"
    [ "$status" -ne 0 ]
    [ -z "$(rt list -q)" ]
}

@test "state: created -> running -> stopped, the process runs only after start" {
    id=$(new_id)
    share_dir
    set_args sh -c 'echo started > /shared/started; read line < /shared/fifo; exit 0'
    mkfifo "$SHARED/fifo"

    rt create --bundle "$BUNDLE" "$id"
    run rt state "$id"
    [ "$status" -eq 0 ]
    [ "$(jq -r .status <<< "$output")" = created ]
    [ "$(jq -r .id <<< "$output")" = "$id" ]
    [ "$(jq -r .bundle <<< "$output")" = "$BUNDLE" ]
    [ -n "$(jq -r .ociVersion <<< "$output")" ]
    local pid
    pid=$(jq -r .pid <<< "$output")
    [ "$pid" -gt 0 ]
    kill -0 "$pid"
    sleep 0.2
    [ ! -e "$SHARED/started" ]     # created: user process not started yet

    rt start "$id"
    wait_file "$SHARED/started"
    [ "$(rt state "$id" | jq -r .status)" = running ]
    [ "$(rt state "$id" | jq -r .pid)" = "$pid" ]

    echo go > "$SHARED/fifo"
    wait_status "$id" stopped
    rt delete "$id"
    run rt state "$id"
    [ "$status" -ne 0 ]
}

@test "state: an unknown id fails and says it does not exist" {
    id=$(new_id)
    run --separate-stderr rt state "$id"
    [ "$status" -ne 0 ]
    [[ $stderr == *"does not exist"* ]]
}

@test "start: a running container cannot be started again" {
    id=$(new_id)
    set_args sleep 100
    rt create --bundle "$BUNDLE" "$id"
    rt start "$id"
    run rt start "$id"
    [ "$status" -ne 0 ]
    [ "$(rt state "$id" | jq -r .status)" = running ]
}

kill_and_expect_stopped() {
    local signal=$1
    id=$(new_id)
    set_args sleep 100
    rt create --bundle "$BUNDLE" "$id"
    rt start "$id"
    wait_status "$id" running
    rt kill "$id" "$signal"
    wait_status "$id" stopped
    rt delete "$id"
}

@test "kill: by name KILL" {
    kill_and_expect_stopped KILL
}

@test "kill: by name SIGKILL" {
    kill_and_expect_stopped SIGKILL
}

@test "kill: by number 9" {
    kill_and_expect_stopped 9
}

@test "kill: TERM reaches a process that handles it; the default signal is TERM" {
    id=$(new_id)
    set_args sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
    rt create --bundle "$BUNDLE" "$id"
    rt start "$id"
    wait_status "$id" running
    sleep 0.3
    rt kill "$id" TERM
    wait_status "$id" stopped
    rt delete "$id"

    id=$(new_id)
    rt create --bundle "$BUNDLE" "$id"
    rt start "$id"
    wait_status "$id" running
    sleep 0.3
    rt kill "$id"
    wait_status "$id" stopped
}

@test "kill: a bad signal name or number is refused and the container keeps running" {
    id=$(new_id)
    set_args sleep 100
    rt run --detach --bundle "$BUNDLE" "$id"
    for sig in SIGFOO 0x9 99999 -9 KILLER; do
        run --separate-stderr rt kill "$id" "$sig"
        [ "$status" -ne 0 ]
        [ -n "$stderr" ]
    done
    [ "$(rt state "$id" | jq -r .status)" = running ]
}

@test "delete: a running container is refused without --force and removed with it" {
    id=$(new_id)
    set_args sleep 100
    rt run --detach --bundle "$BUNDLE" "$id"
    local pid
    pid=$(rt state "$id" | jq -r .pid)
    run --separate-stderr rt delete "$id"
    [ "$status" -ne 0 ]
    [[ $stderr == *running* || $stderr == *"--force"* || $stderr == *"-f"* ]]
    [ "$(rt state "$id" | jq -r .status)" = running ]
    kill -0 "$pid"

    rt delete --force "$id"
    run rt state "$id"
    [ "$status" -ne 0 ]
    local tries=40
    while kill -0 "$pid" 2>/dev/null && (( tries-- > 0 )); do sleep 0.05; done
    ! kill -0 "$pid" 2>/dev/null
}

@test "delete: a created (never started) container can be force-deleted" {
    id=$(new_id)
    set_args sleep 100
    rt create --bundle "$BUNDLE" "$id"
    rt delete --force "$id"
    run rt state "$id"
    [ "$status" -ne 0 ]
    assert_no_leftovers "$id"
}

@test "delete --force of an unknown id succeeds; plain delete of it fails" {
    id=$(new_id)
    run rt delete --force "$id"
    [ "$status" -eq 0 ]
    run --separate-stderr rt delete "$id"
    [ "$status" -ne 0 ]
    [[ $stderr == *"does not exist"* || $stderr == *"not exist"* || $stderr == *"not found"* ]]
}

@test "create: a duplicate id is refused and the first container is untouched" {
    id=$(new_id)
    set_args sleep 100
    rt create --bundle "$BUNDLE" "$id"
    local before
    before=$(rt state "$id")

    local other="$BATS_TEST_TMPDIR/other"
    make_bundle "$other"
    CFG_FILE="$other/config.json" cfg '.process.args = ["true"]'
    rt_files create --bundle "$other" "$id"
    [ "$status" -ne 0 ]
    [[ $stderr == *"already exists"* || $stderr == *"exists"* ]]

    local after
    after=$(rt state "$id")
    [ "$(jq -r .status <<< "$after")" = created ]
    [ "$(jq -r .pid <<< "$after")" = "$(jq -r .pid <<< "$before")" ]
    [ "$(jq -r .bundle <<< "$after")" = "$BUNDLE" ]
    kill -0 "$(jq -r .pid <<< "$after")"
    rt start "$id"
    [ "$(rt state "$id" | jq -r .status)" = running ]
}

@test "create --pid-file writes the container's pid" {
    id=$(new_id)
    set_args sleep 100
    rt create --pid-file "$BATS_TEST_TMPDIR/pid" --bundle "$BUNDLE" "$id"
    [ -s "$BATS_TEST_TMPDIR/pid" ]
    local pid
    pid=$(cat "$BATS_TEST_TMPDIR/pid")
    [[ $pid =~ ^[0-9]+$ ]]
    [ "$pid" = "$(rt state "$id" | jq -r .pid)" ]
    kill -0 "$pid"
}

@test "run --detach --pid-file writes the container's pid" {
    id=$(new_id)
    set_args sleep 100
    rt run --detach --pid-file "$BATS_TEST_TMPDIR/pid" --bundle "$BUNDLE" "$id"
    [ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$(rt state "$id" | jq -r .pid)" ]
}

@test "create: a relative --bundle and --pid-file resolve against the working directory" {
    id=$(new_id)
    set_args sleep 100
    cd "$BATS_TEST_TMPDIR"
    rt create --pid-file pid --bundle bundle "$id"
    [ "$(rt state "$id" | jq -r .bundle)" = "$BUNDLE" ]
    [ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$(rt state "$id" | jq -r .pid)" ]
}

@test "create: without --bundle the working directory is the bundle" {
    id=$(new_id)
    set_args sleep 100
    cd "$BUNDLE"
    rt create "$id"
    [ "$(rt state "$id" | jq -r .bundle)" = "$BUNDLE" ]
}

@test "list: table, json and quiet formats" {
    run rt list -q
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    run rt list --format json
    [ "$status" -eq 0 ]
    [ "$(jq 'length' <<< "$output")" = 0 ]     # runc prints null, [] is fine too

    id=$(new_id)
    set_args sleep 100
    rt create --bundle "$BUNDLE" "$id"
    local id2
    id2=$(new_id)
    local b2="$BATS_TEST_TMPDIR/b2"
    make_bundle "$b2"
    CFG_FILE="$b2/config.json" cfg '.process.args = ["sleep", "100"]'
    rt run --detach --bundle "$b2" "$id2"

    run rt list
    [ "$status" -eq 0 ]
    [[ ${lines[0]} =~ ^ID\ +PID\ +STATUS\ +BUNDLE\ +CREATED\ +OWNER ]]
    [ "${#lines[@]}" -eq 3 ]
    local row
    row=$(printf '%s\n' "${lines[@]}" | awk -v id="$id" '$1 == id')
    [[ $row =~ ^$id\ +[0-9]+\ +created\ +$BUNDLE\ +[0-9T:.Z+-]+\ +root$ ]]
    row=$(printf '%s\n' "${lines[@]}" | awk -v id="$id2" '$1 == id')
    [[ $row =~ ^$id2\ +[0-9]+\ +running\ +$b2\  ]]

    run rt list --format json
    [ "$status" -eq 0 ]
    [ "$(jq 'length' <<< "$output")" = 2 ]
    [ "$(jq -r --arg id "$id" '.[] | select(.id == $id) | .status' <<< "$output")" = created ]
    [ "$(jq -r --arg id "$id2" '.[] | select(.id == $id) | .status' <<< "$output")" = running ]
    [ "$(jq -r --arg id "$id" '.[] | select(.id == $id) | .bundle' <<< "$output")" = "$BUNDLE" ]
    [ "$(jq -r --arg id "$id" '.[] | select(.id == $id) | .pid' <<< "$output")" = "$(rt state "$id" | jq .pid)" ]
    [ "$(jq -r --arg id "$id" '.[] | select(.id == $id) | .owner' <<< "$output")" = root ]
    jq -e --arg id "$id" '.[] | select(.id == $id) | .created | test("^[0-9]{4}-")' <<< "$output"

    run rt list -q
    [ "$status" -eq 0 ]
    [ "$(printf '%s\n' "${lines[@]}" | sort)" = "$(printf '%s\n' "$id" "$id2" | sort)" ]
}

@test "--log --log-format json: a fatal error is one JSON line with level, msg and time" {
    id=$(new_id)
    local log="$BATS_TEST_TMPDIR/runtime.log"
    run --separate-stderr rt --log "$log" --log-format json state "$id"
    [ "$status" -ne 0 ]
    [ -n "$stderr" ]
    [ -s "$log" ]
    local line
    line=$(grep '"error"' "$log" | tail -n 1)
    [ "$(jq -r .level <<< "$line")" = error ]
    [[ $(jq -r .msg <<< "$line") == *"does not exist"* ]]
    jq -e '.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T")' <<< "$line"
    # Every line in the log is a JSON object.
    while read -r l; do jq -e 'type == "object"' <<< "$l" > /dev/null; done < "$log"
}

@test "--log --log-format json: a failed create logs the reason as JSON" {
    id=$(new_id)
    set_args /does-not-exist
    local log="$BATS_TEST_TMPDIR/runtime.log"
    run --separate-stderr rt --log "$log" --log-format json create --bundle "$BUNDLE" "$id"
    if [ "$status" -eq 0 ]; then
        # Some runtimes find a missing executable only at start.
        run --separate-stderr rt --log "$log" --log-format json start "$id"
    fi
    [ "$status" -ne 0 ]
    local line
    line=$(grep '"error"' "$log" | tail -n 1)
    [ "$(jq -r .level <<< "$line")" = error ]
    [[ $(jq -r .msg <<< "$line") == *does-not-exist* ]]
}

@test "global options before a lifecycle verb, in each spelling runc accepts" {
    # taurun parses these verbs on their own after the global options (docs/profile.md): every global option and
    # spelling must still reach them, and an option after the verb still takes the whole-tree parse.
    id=$(new_id)
    local log="$BATS_TEST_TMPDIR/runtime.log"
    set_args sleep 100
    "$RUNTIME" --root="$STATE_ROOT" --log "$log" --log-format=json --debug create --bundle "$BUNDLE" "$id" \
        < /dev/null > /dev/null 2>&1
    run "$RUNTIME" --log="$log" --root "$STATE_ROOT" state "$id"
    [ "$status" -eq 0 ]
    [ "$(jq -r .status <<< "$output")" = created ]
    run --separate-stderr "$RUNTIME" --log "$log" --log-format json --root "$STATE_ROOT" start "$id-missing"
    [ "$status" -ne 0 ]
    [ "$(grep '"error"' "$log" | tail -n 1 | jq -r .level)" = error ]
    "$RUNTIME" --root "$STATE_ROOT" start "$id" < /dev/null > /dev/null 2>&1
    run "$RUNTIME" --root "$STATE_ROOT" kill "$id" KILL
    [ "$status" -eq 0 ]
    wait_status "$id" stopped
    if is_taurun; then
        # taurun (like its parser always did) also takes a global option after the verb; runc and crun do not.
        run "$RUNTIME" --root "$STATE_ROOT" --log "$log" delete "$id" --root "$STATE_ROOT"
    else
        run "$RUNTIME" --root "$STATE_ROOT" --log "$log" delete "$id"
    fi
    [ "$status" -eq 0 ]
    run "$RUNTIME" --root "$STATE_ROOT" state "$id"
    [ "$status" -ne 0 ]
}

@test "state: annotations from the config appear in the state" {
    id=$(new_id)
    cfg '.annotations = {"org.example.key": "value", "org.example.other": "2"}'
    set_args sleep 100
    rt create --bundle "$BUNDLE" "$id" < /dev/null > /dev/null 2>&1
    run rt state "$id"
    [ "$status" -eq 0 ]
    [ "$(jq -r '.annotations["org.example.key"]' <<< "$output")" = value ]
    [ "$(jq -r '.annotations["org.example.other"]' <<< "$output")" = 2 ]
}

@test "kill --all signals every process of the container" {
    id=$(new_id)
    share_dir
    set_args sh -c 'sleep 100 & sleep 100 & echo ready > /shared/ready; wait'
    rt run --detach --bundle "$BUNDLE" "$id" < /dev/null > /dev/null 2>&1
    wait_file "$SHARED/ready"
    local pid
    pid=$(rt state "$id" | jq -r .pid)
    [ "$(pgrep -c -P "$pid" sleep)" -eq 2 ]
    rt kill --all "$id" KILL
    wait_status "$id" stopped
    local tries=40
    while [ -n "$(pgrep -P "$pid" sleep)" ] && (( tries-- > 0 )); do sleep 0.05; done
    local left
    left=$(test_processes "$id")
    [ -z "$left" ] || { echo "still there: $left"; ps -o pid,ppid,stat,comm -p "$(echo $left | grep -o "^[0-9]*")"; return 1; }
}

@test "--version prints the runtime version and the spec version" {
    run --separate-stderr "$RUNTIME" --version
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == *version* ]]
    [[ $output == *"spec: "[0-9]* ]]
}

@test "spec writes a runnable config.json, and refuses to overwrite one" {
    local dir="$BATS_TEST_TMPDIR/spec"
    mkdir -p "$dir"
    (cd "$dir" && "$RUNTIME" spec)
    jq -e '.ociVersion and .process.args and .root.path == "rootfs" and (.linux.namespaces | length > 0)' \
        "$dir/config.json"
    # taurun's spec carries its default seccomp profile (runc's has none).
    if is_taurun; then
        jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO" and (.linux.seccomp.syscalls | length > 0)' "$dir/config.json"
    fi
    cp -a "$ROOTFS_SRC" "$dir/rootfs"
    jq --arg mark "TAURUN_TEST_MARK=$TEST_MARK" '.process.terminal = false | .process.args = ["echo", "from-spec"]
        | .process.env += [$mark]' "$dir/config.json" > "$dir/c.json"
    mv "$dir/c.json" "$dir/config.json"
    id=$(new_id)
    run --separate-stderr rt run --bundle "$dir" "$id"
    [ "$status" -eq 0 ]
    [ "$output" = from-spec ]
    # The default profile: ordinary programs work, namespace creation does not.
    if is_taurun; then
        jq '.process.args = ["sh", "-c", "ls / > /dev/null && echo listed; unshare -U true 2>&1; echo rc=$?"]' \
            "$dir/config.json" > "$dir/c.json"
        mv "$dir/c.json" "$dir/config.json"
        run --separate-stderr rt run --bundle "$dir" "$id"
        [ "${lines[0]}" = listed ]
        [[ "$output" == *"Operation not permitted"* ]]
        [[ "$output" == *"rc=1"* ]]
    fi

    local before
    before=$(cat "$dir/config.json")
    run --separate-stderr bash -c "cd '$dir' && '$RUNTIME' spec"
    [ "$status" -ne 0 ]
    [ "$(cat "$dir/config.json")" = "$before" ]

    mkdir -p "$BATS_TEST_TMPDIR/spec2"
    "$RUNTIME" spec --bundle "$BATS_TEST_TMPDIR/spec2"
    jq -e .ociVersion "$BATS_TEST_TMPDIR/spec2/config.json"
}

@test "spec --rootless writes a user namespace mapping the caller, and no network namespace" {
    local dir="$BATS_TEST_TMPDIR/spec-rootless"
    mkdir -p "$dir"
    run --separate-stderr "$RUNTIME" spec --rootless --bundle "$dir"
    [ "$status" -eq 0 ]
    jq -e --argjson uid "$(id -u)" --argjson gid "$(id -g)" '
        ([.linux.namespaces[].type] | index("user") != null and index("network") == null)
        and .linux.uidMappings == [{containerID: 0, hostID: $uid, size: 1}]
        and .linux.gidMappings == [{containerID: 0, hostID: $gid, size: 1}]' "$dir/config.json"
}

@test "features: a JSON document with the supported versions, hooks and namespaces" {
    run --separate-stderr "$RUNTIME" features
    if [ "$status" -ne 0 ] && ! is_taurun; then
        skip "$(runtime_name) has no features command"
    fi
    [ "$status" -eq 0 ]
    jq -e '.ociVersionMin and .ociVersionMax' <<< "$output"
    [ "$(jq -r '.hooks | sort | join(" ")' <<< "$output")" = \
        "createContainer createRuntime poststart poststop prestart startContainer" ]
    local ns
    for ns in cgroup ipc mount network pid user uts; do
        jq -e --arg n "$ns" '.linux.namespaces | index($n)' <<< "$output" > /dev/null || { echo "missing $ns"; return 1; }
    done
    if is_taurun; then
        jq -e '.linux.namespaces | index("time")' <<< "$output"
        jq -e '.ociVersionMax | startswith("1.2")' <<< "$output"
    fi
}

@test "the lifecycle verbs print the same through either parse path (plain spelling, and ArgumentParser after --)" {
    is_taurun || skip "taurun's two parse paths"
    id=$(new_id)
    rt create --bundle "$BUNDLE" "$id" < /dev/null
    # taurun reads the plain spelling without ArgumentParser (RuncSpellingParse); a `--` before the ids is not that
    # spelling, so the same request goes through ArgumentParser. Output, errors and exit status must not differ.
    local pairs=(
        "state $id|state -- $id"
        "state nosuch-$id|state -- nosuch-$id"
        "kill $id BOGUS|kill -- $id BOGUS"
        "kill -a nosuch-$id KILL|kill -a -- nosuch-$id KILL"
        "start nosuch-$id|start -- nosuch-$id"
        "delete nosuch-$id|delete -- nosuch-$id"
        "create --bundle $BATS_TEST_TMPDIR/none x-$id|create --bundle $BATS_TEST_TMPDIR/none -- x-$id"
        "run -d --bundle $BATS_TEST_TMPDIR/none x-$id|run -d --bundle $BATS_TEST_TMPDIR/none -- x-$id"
        "create --bundle $BUNDLE $id|create --bundle $BUNDLE -- $id"
    )
    local pair plain
    for pair in "${pairs[@]}"; do
        # shellcheck disable=SC2086 # the words are split on purpose
        rt_files ${pair%%|*}
        plain="$status|$output|$stderr"
        # shellcheck disable=SC2086
        rt_files ${pair#*|}
        echo "plain:    $plain"
        echo "fallback: $status|$output|$stderr"
        [ "$plain" = "$status|$output|$stderr" ]
    done
    rt delete --force "$id"
}
