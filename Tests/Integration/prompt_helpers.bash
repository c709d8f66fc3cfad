# Shared steps of the prompt tests (tau-prompts.bats, tau-prompt-devices.bats), loaded with `load prompt_helpers`:
# the workspace, each test's own state, audit log and agent socket, the test's prompt agent (prompt_agent.py),
# `taurun run` of the converted app without a terminal, and counts from the audit log and the agent's log. The
# loading file sets APP_ID (its probe app's id) and PROBE (the probe's path inside the app).

# Skips the file unless it can convert apps as root, build a probe, run the prompt agent and copy build/rootfs.
skip_without_prompt_tools() {
    [[ $(id -u) == 0 ]] || skip "Tau apps converted as root: needs root"
    command -v cc > /dev/null || skip "no C compiler to build the probe"
    command -v python3 > /dev/null || skip "no python3 for the prompt agent"
    [[ -x $REPO_ROOT/build/rootfs/bin/busybox ]] || skip "no build/rootfs (make rootfs)"
}

# make_workspace NAME: $W, a directory under /tmp named after NAME, with a copy of build/rootfs and its /app/bin.
make_workspace() {
    # Not under $BATS_FILE_TMPDIR (0700): the app's unprivileged host uid must traverse every parent directory.
    W=$(mktemp -d "/tmp/$1.XXXXXX")
    export W
    chmod 755 "$W"
    mkdir -p "$W/rootfs"
    cp -a "$REPO_ROOT/build/rootfs/." "$W/rootfs/"
    mkdir -p "$W/rootfs/app/bin"
}

# Each test: its own directory $T, state (grants), audit log and agent socket, and no agent yet.
new_test_state() {
    T="$W/$BATS_TEST_NUMBER"
    mkdir -p "$T"
    export STATE="$T/state" TAURUN_AUDIT_LOG="$T/audit.jsonl" TAURUN_PROMPT_SOCKET="$T/agent.sock"
    unset TAURUN_PROMPT_TIMEOUT TAURUN_PROMPT_DEFAULT
    AGENT_PID=""
}

teardown() {
    [[ -n ${AGENT_PID:-} ]] && kill "$AGENT_PID" 2> /dev/null
    return 0
}

# agent ANSWER [AS_UID]: the test's prompt agent on $TAURUN_PROMPT_SOCKET, answering ANSWER to every question.
agent() {
    rm -f "$T/agent.log.ready"
    if [[ -n ${2:-} ]]; then
        # Its socket and log in a directory of its own: the audit log's directory must stay root's.
        mkdir -p "$T/other"
        chown "$2" "$T/other"
        export TAURUN_PROMPT_SOCKET="$T/other/agent.sock"
        # The system's python3: a per-user shim (pyenv under /root) is not for another uid.
        setpriv --reuid "$2" --regid "$2" --clear-groups /usr/bin/python3 "$BATS_TEST_DIRNAME/prompt_agent.py" \
            "$TAURUN_PROMPT_SOCKET" "$1" "$T/other/agent.log" 3>&- &
    else
        python3 "$BATS_TEST_DIRNAME/prompt_agent.py" "$TAURUN_PROMPT_SOCKET" "$1" "$T/agent.log" 3>&- &
    fi
    AGENT_PID=$!
    for _ in $(seq 100); do [[ -e $T/agent.log.ready || -e $T/other/agent.log.ready ]] && return 0; sleep 0.05; done
    echo "the agent did not start" >&2
    return 1
}

stop_agent() {
    kill "$AGENT_PID"
    wait "$AGENT_PID" 2> /dev/null || true
    AGENT_PID=""
    rm -f "$TAURUN_PROMPT_SOCKET" "$T/agent.log.ready"
}

# runapp ID [ARGS...]: `taurun run` of the bundle in a new session (setsid: no controlling terminal, so no terminal
# to ask on), with the probe's arguments replaced by ARGS when given.
runapp() {
    local id=$1
    shift
    if (( $# > 0 )); then
        jq --arg probe "$PROBE" '.process.args = [$probe] + $ARGS.positional' "$T/bundle/config.json" --args "$@" \
            > "$T/config.json"
        mv "$T/config.json" "$T/bundle/config.json"
    fi
    # Bounded: a monitor that never stopped waiting would otherwise hang the suite instead of failing it.
    run --separate-stderr timeout 60 setsid -w "$TAURUN" --root "$W/run" run --bundle "$T/bundle" "$id" < /dev/null
    echo "status $status"
    echo "stdout: $output"
    echo "stderr: $stderr"
}

# records EVENT [ACTION]: how many audit records of EVENT (with ACTION) the app has.
records() {
    jq -s --arg app "$APP_ID" --arg e "$1" --arg a "${2:-}" \
        'map(select(.app == $app and .event == $e and ($a == "" or .action == $a))) | length' \
        "$TAURUN_AUDIT_LOG"
}

# How many questions the agent was asked (a line of its log each).
questions() { [[ -e $T/agent.log ]] && wc -l < "$T/agent.log" || echo 0; }
