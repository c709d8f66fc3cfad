#!/usr/bin/env bats
# `taurun audit` over hand-written audit logs: readable lines, --json, filters, --since, rotated files, --follow
# across a rotation, and a missing log. Needs no container and no root. TAURUN = the taurun binary under test
# (default: the release build); the tests exercise taurun itself whatever RUNTIME the rest of the suite runs.

bats_require_minimum_version 1.5.0

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
TAURUN=${TAURUN:-$REPO_ROOT/.build/release/taurun}

VIOLATION_LINE='org.tauos.media terminated: socket(AF_INET, SOCK_STREAM) needs permission \"network\", which is not granted'

setup() {
    [[ -x $TAURUN ]] || skip "no taurun binary at $TAURUN"
    W=$(mktemp -d "${BATS_TMPDIR:-/tmp}/taurun-audit.XXXXXX")
    LOG="$W/log/audit.jsonl"
    mkdir -p "$W/log"
    unset TAURUN_AUDIT_LOG
    NOW=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
    FOLLOW_PID=
}

teardown() {
    if [[ -n $FOLLOW_PID ]]; then
        kill "$FOLLOW_PID" 2>/dev/null || true
        wait "$FOLLOW_PID" 2>/dev/null || true
    fi
    [[ -n ${W:-} ]] && rm -rf "$W"
}

# record TIME EVENT APP CONTAINER MESSAGE [EXTRA-JSON-FIELDS]: one audit record as taurun writes it.
record() {
    local app=
    [[ -n $3 ]] && app="\"app\":\"$3\","
    printf '{"time":"%s","event":"%s",%s"container":"%s",%s"message":"%s"}\n' "$1" "$2" "$app" "$4" "${6:+$6,}" "$5"
}

write_sample_log() {
    {
        record 2020-01-01T10:00:00.000Z create "" plain-1 "container plain-1 created"
        record 2020-01-01T10:00:01.500Z violation org.tauos.media media-1 "$VIOLATION_LINE" \
            '"pid":4242,"permission":"network","syscall":"socket","args":[2,1,0,0,0,0],"action":"terminated"'
        echo '{"time":"2020-01-01T10:00:02.000Z","event":"start","message":"torn rec'
        record 2020-01-01T10:00:03.000Z violation org.tauos.hello hello-1 \
            "org.tauos.hello denied: unshare(CLONE_NEWUSER) is not allowed: apps cannot create namespaces" \
            '"syscall":"unshare","args":[268435456,0,0,0,0,0],"action":"denied"'
        record "$NOW" kill org.tauos.media media-2 "container media-2 sent SIGTERM" '"action":"SIGTERM"'
    } > "$LOG"
}

@test "audit: a missing log prints nothing and succeeds" {
    run -0 "$TAURUN" --audit-log "$W/none/audit.jsonl" audit
    [[ -z $output ]]
    run -0 "$TAURUN" --audit-log "$W/none/audit.jsonl" audit --json --app org.tauos.media --since 1h
    [[ -z $output ]]
}

@test "audit: readable lines, one per record, malformed lines skipped" {
    write_sample_log
    run -0 "$TAURUN" --audit-log "$LOG" audit
    [[ ${#lines[@]} -eq 4 ]]
    [[ ${lines[0]} == "2020-01-01T10:00:00.000Z container plain-1 created [container plain-1]" ]]
    [[ ${lines[1]} == '2020-01-01T10:00:01.500Z org.tauos.media terminated: socket(AF_INET, SOCK_STREAM) needs permission "network", which is not granted [container media-1]' ]]
    [[ ${lines[2]} == "2020-01-01T10:00:03.000Z org.tauos.hello denied: unshare(CLONE_NEWUSER) is not allowed: apps cannot create namespaces [container hello-1]" ]]
    [[ ${lines[3]} == "$NOW container media-2 sent SIGTERM [container media-2]" ]]
}

@test "audit: TAURUN_AUDIT_LOG names the log when --audit-log is absent" {
    write_sample_log
    TAURUN_AUDIT_LOG=$LOG run -0 "$TAURUN" audit --container hello-1
    [[ ${#lines[@]} -eq 1 && ${lines[0]} == *"org.tauos.hello denied"* ]]
}

@test "audit: --app and --container filter exactly" {
    write_sample_log
    run -0 "$TAURUN" --audit-log "$LOG" audit --app org.tauos.media
    [[ ${#lines[@]} -eq 2 ]]
    [[ ${lines[0]} == *"[container media-1]" && ${lines[1]} == *"[container media-2]" ]]
    run -0 "$TAURUN" --audit-log "$LOG" audit --app org.tauos
    [[ -z $output ]]
    run -0 "$TAURUN" --audit-log "$LOG" audit --app org.tauos.media --container media-2
    [[ ${#lines[@]} -eq 1 && ${lines[0]} == *"sent SIGTERM"* ]]
}

@test "audit: --since takes an RFC 3339 time or a duration ago" {
    write_sample_log
    run -0 "$TAURUN" --audit-log "$LOG" audit --since 2020-01-01T10:00:01.500Z
    [[ ${#lines[@]} -eq 3 && ${lines[0]} == *"media-1]" ]]
    run -0 "$TAURUN" --audit-log "$LOG" audit --since 2020-01-01T11:00:02+01:00
    [[ ${#lines[@]} -eq 2 && ${lines[0]} == *"hello-1]" ]]
    run -0 "$TAURUN" --audit-log "$LOG" audit --since 10m
    [[ ${#lines[@]} -eq 1 && ${lines[0]} == "$NOW "* ]]
    run -0 "$TAURUN" --audit-log "$LOG" audit --since 1d --app org.tauos.hello
    [[ -z $output ]]
}

@test "audit: a bad --since is one error line naming the flag and the value" {
    write_sample_log
    run -1 --separate-stderr "$TAURUN" --audit-log "$LOG" audit --since yesterday
    [[ -z $output ]]
    [[ $(wc -l <<< "$stderr") -eq 1 ]]
    [[ $stderr == *'--since "yesterday"'* ]]
}

@test "audit: --json prints the records as JSON lines" {
    write_sample_log
    run -0 "$TAURUN" --audit-log "$LOG" audit --json --app org.tauos.media
    [[ ${#lines[@]} -eq 2 ]]
    [[ $(jq -r .event <<< "${lines[0]}") == violation ]]
    [[ $(jq -r .permission <<< "${lines[0]}") == network ]]
    [[ $(jq -c .args <<< "${lines[0]}") == "[2,1,0,0,0,0]" ]]
    [[ $(jq -r .message <<< "${lines[0]}") == 'org.tauos.media terminated: socket(AF_INET, SOCK_STREAM) needs permission "network", which is not granted' ]]
    [[ $(jq -r .action <<< "${lines[1]}") == SIGTERM ]]
    # The records keep their fields in the order taurun writes them, time first.
    [[ ${lines[0]} == '{"time":"2020-01-01T10:00:01.500Z","event":"violation","app":"org.tauos.media","container":"media-1","pid":4242,'* ]]
}

@test "audit: rotated files are read oldest first, then the live file" {
    record 2020-01-01T09:00:00.000Z create "" oldest "oldest" > "$LOG.2"
    record 2020-01-01T09:30:00.000Z create "" older "older" > "$LOG.1"
    record 2020-01-01T10:00:00.000Z create "" live "live" > "$LOG"
    run -0 "$TAURUN" --audit-log "$LOG" audit
    [[ ${#lines[@]} -eq 3 ]]
    [[ ${lines[0]} == *" oldest [container oldest]" && ${lines[1]} == *" older [container older]" && ${lines[2]} == *" live [container live]" ]]
}

# wait_for_lines FILE N: waits up to 5 s for FILE to hold N lines.
wait_for_lines() {
    local i
    for ((i = 0; i < 50; i++)); do
        [[ $(wc -l < "$1") -ge $2 ]] && return 0
        sleep 0.1
    done
    echo "expected $2 lines in $1, got:" >&2
    cat "$1" >&2
    return 1
}

@test "audit: --follow prints existing records, then new ones, across a rotation" {
    record 2020-01-01T10:00:00.000Z create org.tauos.media m1 "first" > "$LOG"
    record 2020-01-01T10:00:00.500Z create org.tauos.other o1 "not this app" >> "$LOG"
    "$TAURUN" --audit-log "$LOG" audit --follow --app org.tauos.media > "$W/out" 2>&1 &
    FOLLOW_PID=$!
    wait_for_lines "$W/out" 1
    record 2020-01-01T10:00:01.000Z start org.tauos.media m1 "second" >> "$LOG"
    wait_for_lines "$W/out" 2
    # Rotate the way taurun does: the live file becomes .1 and a new live file starts.
    record 2020-01-01T10:00:02.000Z kill org.tauos.media m1 "third, just before rotation" >> "$LOG"
    mv "$LOG" "$LOG.1"
    record 2020-01-01T10:00:03.000Z delete org.tauos.media m1 "fourth, in the new file" > "$LOG"
    wait_for_lines "$W/out" 4
    kill "$FOLLOW_PID"
    wait "$FOLLOW_PID" || true
    FOLLOW_PID=
    run cat "$W/out"
    [[ ${#lines[@]} -eq 4 ]]
    [[ ${lines[0]} == "2020-01-01T10:00:00.000Z first [container m1]" ]]
    [[ ${lines[1]} == "2020-01-01T10:00:01.000Z second [container m1]" ]]
    [[ ${lines[2]} == "2020-01-01T10:00:02.000Z third, just before rotation [container m1]" ]]
    [[ ${lines[3]} == "2020-01-01T10:00:03.000Z fourth, in the new file [container m1]" ]]
}

@test "audit: --follow on a log that does not exist yet waits for it" {
    "$TAURUN" --audit-log "$W/later/audit.jsonl" audit --follow --json > "$W/out" 2>&1 &
    FOLLOW_PID=$!
    sleep 0.5
    mkdir -p "$W/later"
    record 2020-01-01T10:00:00.000Z oom org.tauos.media m1 "out of memory" > "$W/later/audit.jsonl"
    wait_for_lines "$W/out" 1
    [[ $(jq -r .event < "$W/out") == oom ]]
}
