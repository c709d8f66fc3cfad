#!/usr/bin/env bats
# Runtime permission prompts (issue 19, part 3; docs/prompts.md). A real app converted from a manifest with
# on_violation = "ask" requests `network`, which nobody has decided; its socket(AF_INET) is held by the security
# monitor while the user is asked, through a prompt agent (a python3 client of the documented socket protocol,
# Tests/Integration/prompt_agent.py) or on the terminal of `taurun run`. Each answer, the time-out and the default
# (nobody to ask) are checked in what the app saw, in the grant store and in the audit log; and the app cannot answer
# its own prompt: the agent socket is not in its view, a socket another user listens on is refused, and keys it
# pushes into the terminal it shares with `taurun run` are not an answer. Prompts are taurun's monitor: RUNTIME is
# not used, TAURUN is the binary under test. Needs root and cc.

bats_require_minimum_version 1.5.0

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
TAURUN=${TAURUN:-$REPO_ROOT/.build/release/taurun}
APP_ID=org.tauos.promptprobe
PROBE=/app/bin/promptprobe
load prompt_helpers

setup_file() {
    skip_without_prompt_tools
    make_workspace tau-prompts
    cc -static -O2 -o "$W/rootfs/app/bin/promptprobe" "$BATS_TEST_DIRNAME/probes/prompt_probe.c" \
        || skip "cannot build a static probe here"
}

teardown_file() {
    [[ -n ${W:-} ]] || return 0
    [[ -f $W/route-server.pid ]] && kill "$(cat "$W/route-server.pid")" 2> /dev/null
    ip link del tau-prm0 2> /dev/null
    rm -rf "$W"
    return 0
}

setup() {
    new_test_state
}

# convert [ARGS...]: the probe app with ARGS as its command's arguments, into $T/bundle. $ON_VIOLATION (default ask)
# is the manifest's on_violation; $CONVERT_FLAGS are added to convert's command line.
convert() {
    local args='"net"'
    (( $# > 0 )) && args=$(printf '"%s", ' "$@") && args=${args%, }
    cat > "$T/tau.toml" <<EOF
id = "org.tauos.promptprobe"
name = "Prompt probe"
version = "1.0.0"
command = ["/app/bin/promptprobe", $args]
on_violation = "${ON_VIOLATION:-ask}"

[permissions]
network = true
EOF
    # shellcheck disable=SC2086
    run "$TAURUN" convert "$T/tau.toml" --bundle "$T/bundle" --state-dir "$STATE" --rootfs "$W/rootfs" ${CONVERT_FLAGS:-} < /dev/null
    echo "convert: $output"
    [ "$status" -eq 0 ]
}

granted() { jq -e '.granted | index("network")' "$STATE/grants/org.tauos.promptprobe.json" > /dev/null; }
refused() { jq -e '.denied | index("network")' "$STATE/grants/org.tauos.promptprobe.json" > /dev/null; }

@test "convert leaves an undecided network to the runtime prompt under on_violation = ask" {
    convert
    # Not refused: the summary says it will be asked for.
    [[ $output == *": granted -; denied -; asked at runtime network" ]]
    # Not granted in the bundle, and nothing recorded: the monitor asks when the app first needs it.
    jq -e '.annotations["org.tauos.app.on_violation"] == "ask" and .annotations["org.tauos.app.permissions.denied"] == "network"
        and .annotations["org.tauos.app.state_dir"] == env.STATE' "$T/bundle/config.json"
    jq -e '(.linux.namespaces | map(.type) | index("network")) != null' "$T/bundle/config.json"
    ! granted
    ! refused
    [ "$(records consent)" -eq 0 ]
}

@test "the user's --on-violation ask makes an app whose manifest says terminate ask at runtime" {
    ON_VIOLATION=terminate CONVERT_FLAGS="--on-violation ask" convert
    jq -e '.annotations["org.tauos.app.on_violation"] == "ask"' "$T/bundle/config.json"
    agent allow-once
    runapp prompt-user-setting
    [ "$status" -eq 0 ]
    [ "$output" = $'socket AF_INET: ok\nprompt probe: done' ]
    [ "$(questions)" -eq 1 ]
    # Without it, the same manifest needs network decided at convert.
    rm -rf "$STATE"
    run "$TAURUN" convert "$T/tau.toml" --bundle "$T/bundle2" --state-dir "$STATE" --rootfs "$W/rootfs" < /dev/null
    [ "$status" -eq 77 ]
    [[ $output == *"taurun grant org.tauos.promptprobe network"* ]]
    # An unknown value is one line naming the flag, and nothing is written.
    run "$TAURUN" convert "$T/tau.toml" --bundle "$T/bundle3" --state-dir "$STATE" --rootfs "$W/rootfs" --on-violation prompt < /dev/null
    [ "$status" -eq 65 ]
    [[ $output == *"--on-violation"*'"prompt"'*"must be terminate, deny or ask"* ]]
    [ ! -e "$T/bundle3" ]
}

@test "allow once: the held call goes through, later calls of the run too, nothing is recorded, the next run asks again" {
    convert net 2
    agent allow-once
    runapp prompt-once-1
    [ "$status" -eq 0 ]
    [ "$output" = $'socket AF_INET: ok\nsocket AF_INET: ok\nprompt probe: done' ]
    # One question (the second call is answered by the first answer), in the documented protocol.
    [ "$(questions)" -eq 1 ]
    jq -e '.taurun_prompt == 1 and .id == "prompt-once-1/1" and .app == "org.tauos.promptprobe" and .container == "prompt-once-1"
        and .permission == "network" and .call == "socket(AF_INET, SOCK_STREAM)" and .timeout_ms == 30000
        and .answers == ["allow-once", "allow-always", "deny-once", "deny-always"] and (.pid > 0)' "$T/agent.log"
    [ "$(records prompt asked)" -eq 1 ]
    [ "$(records prompt-answer allow-once)" -eq 1 ]
    [ "$(records consent)" -eq 0 ]
    ! granted
    # Each record is one readable line in `taurun audit`.
    run "$TAURUN" audit --app org.tauos.promptprobe
    [[ $output == *'org.tauos.promptprobe asks for permission "network": socket(AF_INET, SOCK_STREAM) (asked through the prompt agent at '"$TAURUN_PROMPT_SOCKET"') [container prompt-once-1]'* ]]
    [[ $output == *'org.tauos.promptprobe permission "network": allow-once, answered by uid 0 (prompt agent) ['*' ms] [container prompt-once-1]'* ]]
    runapp prompt-once-2
    [ "$status" -eq 0 ]
    [ "$(questions)" -eq 2 ]
}

@test "allow always: recorded as a grant and audited; the next run is not asked" {
    convert
    agent allow-always
    runapp prompt-always-1
    [ "$status" -eq 0 ]
    [ "$output" = $'socket AF_INET: ok\nprompt probe: done' ]
    granted
    [ "$(records prompt-answer allow-always)" -eq 1 ]
    jq -e -s 'map(select(.event == "consent" and .permission == "network" and .action == "granted"
        and .message == "org.tauos.promptprobe network: ask -> granted by uid 0 (prompt agent) (runtime prompt)")) | length == 1' \
        "$TAURUN_AUDIT_LOG"
    run "$TAURUN" grants org.tauos.promptprobe --state-dir "$STATE"
    [[ $output == *network* ]]
    # No agent any more: the recorded grant answers, nobody is asked.
    stop_agent
    runapp prompt-always-2
    [ "$status" -eq 0 ]
    [ "$output" = $'socket AF_INET: ok\nprompt probe: done' ]
    [ "$(records prompt)" -eq 1 ]
    [ "$(records prompt-answer)" -eq 1 ]
}

@test "deny once: EPERM for the run, nothing recorded, the next run asks again" {
    convert net 2
    agent deny-once
    runapp prompt-deny-1
    [ "$status" -eq 0 ]
    [ "$output" = $'socket AF_INET: Operation not permitted\nsocket AF_INET: Operation not permitted\nprompt probe: done' ]
    [ "$(questions)" -eq 1 ]
    [ "$(records prompt-answer deny-once)" -eq 1 ]
    ! refused
    [ "$(records consent)" -eq 0 ]
    runapp prompt-deny-2
    [ "$(questions)" -eq 2 ]
}

@test "deny always: recorded as a refusal and audited; the next run gets EPERM without a question" {
    convert
    agent deny-always
    runapp prompt-never-1
    [ "$status" -eq 0 ]
    [ "$output" = $'socket AF_INET: Operation not permitted\nprompt probe: done' ]
    refused
    [ "$(records prompt-answer deny-always)" -eq 1 ]
    jq -e -s 'map(select(.event == "consent" and .permission == "network" and .action == "denied")) | length == 1' "$TAURUN_AUDIT_LOG"
    runapp prompt-never-2
    [ "$output" = $'socket AF_INET: Operation not permitted\nprompt probe: done' ]
    [ "$(questions)" -eq 1 ]
    # Refused by the recorded decision: a denied violation, as under on_violation = "deny".
    jq -e -s 'map(select(.event == "violation" and .container == "prompt-never-2" and .action == "denied"
        and .permission == "network")) | length == 1' "$TAURUN_AUDIT_LOG"
}

@test "time-out: no answer within TAURUN_PROMPT_TIMEOUT is deny-once, audited as timeout" {
    convert
    agent silent
    export TAURUN_PROMPT_TIMEOUT=1
    local start=$SECONDS
    runapp prompt-timeout
    [ "$status" -eq 0 ]
    [ "$output" = $'socket AF_INET: Operation not permitted\nprompt probe: done' ]
    (( SECONDS - start >= 1 && SECONDS - start < 10 ))
    [ "$(records prompt-answer timeout)" -eq 1 ]
    jq -e -s 'map(select(.event == "prompt-answer")) | .[0].message | test("no answer within 1000 ms from the prompt agent at .*; deny-once")' \
        "$TAURUN_AUDIT_LOG"
    ! refused
    ! granted
}

@test "no agent and no terminal: the default (deny-once, or TAURUN_PROMPT_DEFAULT) applies and is audited" {
    convert
    runapp prompt-default-1
    [ "$status" -eq 0 ]
    [ "$output" = $'socket AF_INET: Operation not permitted\nprompt probe: done' ]
    [ "$(records prompt asked)" -eq 0 ]
    [ "$(records prompt-answer default)" -eq 1 ]
    jq -e -s 'map(select(.event == "prompt-answer")) | .[0].message
        | test("held, but nobody to ask \\(no terminal; no prompt agent at .*agent.sock .*\\); deny-once \\(the default\\)")' \
        "$TAURUN_AUDIT_LOG"
    export TAURUN_PROMPT_DEFAULT=allow-once
    runapp prompt-default-2
    [ "$output" = $'socket AF_INET: ok\nprompt probe: done' ]
    [ "$(records prompt-answer default)" -eq 2 ]
    ! granted
    # An unusable setting is one line naming it, and nothing is created.
    export TAURUN_PROMPT_DEFAULT=allow-always
    runapp prompt-default-3
    [ "$status" -ne 0 ]
    [[ $stderr == *"TAURUN_PROMPT_DEFAULT"*"allow-always"* ]]
    run "$TAURUN" --root "$W/run" state prompt-default-3
    [ "$status" -ne 0 ]
}

@test "an invalid reply is no answer: deny-once, audited as invalid" {
    convert
    agent garbage
    runapp prompt-garbage
    [ "$output" = $'socket AF_INET: Operation not permitted\nprompt probe: done' ]
    [ "$(records prompt-answer invalid)" -eq 1 ]
    stop_agent
    agent wrong-id
    runapp prompt-wrong-id
    [ "$output" = $'socket AF_INET: Operation not permitted\nprompt probe: done' ]
    [ "$(records prompt-answer invalid)" -eq 2 ]
    ! granted
}

@test "the app cannot answer its own prompt: the agent socket is not in its view" {
    convert agent "$T/agent.sock"
    agent allow-once
    runapp prompt-reach
    [ "$status" -eq 0 ]
    # The app's connect() to the agent's host path finds nothing; only the monitor's question reached the agent.
    [ "$output" = $'agent: No such file or directory\nsocket AF_INET: ok\nprompt probe: done' ]
    [ "$(questions)" -eq 1 ]
}

@test "an agent socket another user listens on is refused: only the user or root may answer" {
    convert
    # A listener running as nobody at the path (a planted socket) says allow-always.
    [[ -x /usr/bin/python3 ]] || skip "no /usr/bin/python3 to run as another user"
    agent allow-always 65534
    runapp prompt-impostor
    [ "$status" -eq 0 ]
    [ "$output" = $'socket AF_INET: Operation not permitted\nprompt probe: done' ]
    # The monitor hung up before asking anything.
    [[ ! -s $T/other/agent.log ]]
    ! granted
    jq -e -s 'map(select(.event == "prompt-answer" and .action == "default")) | .[0].message
        | test("refused: it runs as uid 65534, and only uid 0 may answer")' "$TAURUN_AUDIT_LOG"
}

# interactive CMD KEYS: CMD on a new pty (script(1)), KEYS typed once the question is up. run discards input queued
# before it shows the question, and when that is cannot be seen from here: KEYS are typed again every half second
# until the answer is in the audit log (on a busy machine the first ones may come too early).
interactive() {
    local keys=$2
    (
        for _ in $(seq 200); do
            [[ $(records prompt asked 2> /dev/null) -ge 1 ]] && break
            sleep 0.05
        done
        for _ in $(seq 20); do
            [[ -n $keys ]] && printf '%s' "$keys"
            sleep 0.5
            [[ $(records prompt-answer 2> /dev/null) -ge 1 ]] && break
        done
        sleep 2
    ) | script -qfec "$1" /dev/null
}

@test "terminal: the question is asked on the terminal of taurun run, and the answer typed there applies" {
    command -v script > /dev/null || skip "no script(1) for a pty"
    convert
    # An agent is there too: the terminal comes first.
    agent deny-always
    run interactive "$TAURUN --root $W/run run --bundle $T/bundle prompt-tty" $'A\n'
    echo "$output"
    [[ $output == *'taurun: Allow org.tauos.promptprobe to use permission "network"? It called socket(AF_INET, SOCK_STREAM).'* ]]
    [[ $output == *"socket AF_INET: ok"* ]]
    [ "$(questions)" -eq 0 ]
    granted
    jq -e -s 'map(select(.event == "prompt-answer" and .action == "allow-always")) | .[0].message
        | test("answered by the user at the terminal of taurun run")' "$TAURUN_AUDIT_LOG"
}

@test "terminal: an app with its own pty (process.terminal) is asked on taurun run's terminal, not through its pty" {
    command -v script > /dev/null || skip "no script(1) for a pty"
    convert net 2
    # The same bundle with a pty of its own: run relays it, and stops relaying while the question is up.
    jq '.process.terminal = true' "$T/bundle/config.json" > "$T/config.json" && mv "$T/config.json" "$T/bundle/config.json"
    run interactive "$TAURUN --root $W/run run --bundle $T/bundle prompt-pty" $'a\n'
    echo "$output"
    [[ $output == *'taurun: Allow org.tauos.promptprobe to use permission "network"?'* ]]
    [[ $output == *$'socket AF_INET: ok\r\nsocket AF_INET: ok'* ]]
    [ "$(records prompt-answer allow-once)" -eq 1 ]
    ! granted
}

@test "terminal: keys the app pushes into the terminal it shares with taurun run are not an answer" {
    command -v script > /dev/null || skip "no script(1) for a pty"
    convert inject
    export TAURUN_PROMPT_TIMEOUT=2
    # Nobody types: only the app's TIOCSTI could answer, and it is refused (the app is not in the terminal's session).
    run interactive "$TAURUN --root $W/run run --bundle $T/bundle prompt-inject" ""
    echo "$output"
    [[ $output == *"inject: TIOCSTI: Operation not permitted"* ]]
    [[ $output == *"socket AF_INET: Operation not permitted"* ]]
    [ "$(records prompt-answer timeout)" -eq 1 ]
    ! granted
}

# The host side of the route: a host address that is not loopback (a veth pair, as isolation.bats makes; slirp4netns
# runs with --disable-host-loopback) and a python3 server there answering "hello" to each connection.
ROUTE_ADDR=198.18.48.1
start_route_server() {
    [[ -f $W/route-server.pid ]] && return 0
    if ! ip -4 addr show dev tau-prm0 2> /dev/null | grep -q "$ROUTE_ADDR"; then
        ip link add tau-prm0 type veth peer name tau-prm1 2> /dev/null || skip "cannot add a veth pair for a host address"
        ip addr add "$ROUTE_ADDR/32" dev tau-prm0
        ip link set tau-prm1 up
        ip link set tau-prm0 up
    fi
    python3 - "$ROUTE_ADDR" > "$W/route-server.log" 2>&1 3>&- <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 47013))
s.listen(16)
while True:
    c, _ = s.accept()
    c.sendall(b"hello\n")
    c.close()
PY
    echo $! > "$W/route-server.pid"
    for _ in $(seq 100); do
        python3 -c "import socket; socket.create_connection(('$ROUTE_ADDR', 47013), 1)" 2> /dev/null && return 0
        sleep 0.05
    done
    return 1
}

@test "network allowed at runtime is real: the gated route carries the app's connection, and only after allow" {
    convert connect "$ROUTE_ADDR" 47013
    jq -e '.annotations["org.tauos.app.network_route"] == "gated"' "$T/bundle/config.json" \
        || skip "the bundle has no gated route (slirp4netns missing?)"
    # The route exists, but the filter still traps the socket: the monitor decides it.
    jq -e '(.hooks.createRuntime | length) == 1 and ([.linux.seccomp.syscalls[] | select(.names | index("socket")) | .args] | all(length > 0))' \
        "$T/bundle/config.json"
    start_route_server
    agent allow-once
    runapp prompt-route-1
    [ "$status" -eq 0 ]
    [ "$output" = $'connect: hello\nprompt probe: done' ]
    stop_agent
    agent deny-once
    runapp prompt-route-2
    [ "$output" = $'socket AF_INET: Operation not permitted\nprompt probe: done' ]
    [ "$(records prompt-answer allow-once)" -eq 1 ]
    [ "$(records prompt-answer deny-once)" -eq 1 ]
}
