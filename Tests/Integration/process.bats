#!/usr/bin/env bats
# The container process: hostname, user and groups, umask, rlimits, capabilities, no_new_privs, env, cwd, and the
# file descriptors it inherits.

load helpers

# Runs the container in the foreground and leaves its output in $output (stdout) and $stderr.
run_container() {
    id=$(new_id)
    run --separate-stderr rt run --bundle "$BUNDLE" "$id"
}

# The value of one field of /proc/self/status inside the container ("CapEff", "Groups", ...).
status_field() {
    awk -v f="$1:" '$1 == f { $1 = ""; sub(/^ +/, ""); print }' <<< "$output"
}

@test "hostname comes from the config" {
    cfg '.hostname = "box-one"'
    set_args hostname
    run_container
    [ "$status" -eq 0 ]
    [ "$output" = box-one ]
    [ "$(hostname)" != box-one ]
}

@test "domainname comes from the config (runtime-spec 1.1)" {
    requires_spec 1.1.0 "domainname"
    cfg '.domainname = "example.test"'
    set_args cat /proc/sys/kernel/domainname
    run_container
    [ "$status" -eq 0 ]
    [ "$output" = example.test ]
}

@test "user: uid, gid and additional gids are set; nothing else of the caller's groups" {
    cfg '.process.user = {uid: 1000, gid: 1000, additionalGids: [10, 2000]}'
    set_args sh -c 'id -u; id -g; grep -E "^(Uid|Gid|Groups):" /proc/self/status'
    run_container
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 1000 ]
    [ "${lines[1]}" = 1000 ]
    [[ ${lines[2]} =~ ^Uid:[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000$ ]]
    [[ ${lines[3]} =~ ^Gid:[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000$ ]]
    [[ ${lines[4]} =~ ^Groups:[[:space:]]+10[[:space:]]+2000[[:space:]]*$ ]]
}

@test "user: root without additionalGids has no supplementary groups" {
    set_args sh -c 'id -u; grep "^Groups:" /proc/self/status'
    run_container
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 0 ]
    [[ ${lines[1]} =~ ^Groups:[[:space:]]*$ ]]
}

@test "user: the user name resolves through the rootfs /etc/passwd" {
    cfg '.process.user = {uid: 1000, gid: 1000}'
    set_args id
    run_container
    [ "$status" -eq 0 ]
    [[ $output == "uid=1000(app) gid=1000(app)"* ]]
}

@test "umask from process.user.umask" {
    cfg '.process.user.umask = 23'     # 0027
    set_args sh -c 'umask; touch /tmp/f; stat -c %a /tmp/f'
    run_container
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 0027 ]
    [ "${lines[1]}" = 640 ]
}

@test "rlimits: soft and hard limits are applied" {
    cfg '.process.rlimits = [
        {type: "RLIMIT_NOFILE", soft: 1234, hard: 2345},
        {type: "RLIMIT_CORE", soft: 0, hard: 0},
        {type: "RLIMIT_NPROC", soft: 333, hard: 444}
    ]'
    set_args sh -c 'ulimit -n; ulimit -Hn; ulimit -c; ulimit -Hc; ulimit -u; ulimit -Hu'
    run_container
    [ "$status" -eq 0 ]
    [ "$(echo $output)" = "1234 2345 0 0 333 444" ]
}

@test "capabilities: root gets the configured sets (noNewPrivileges: permitted caps execve's gain)" {
    cfg '.process.capabilities = {
        bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE", "CAP_SETUID", "CAP_NET_RAW"],
        effective: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
        permitted: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
        inheritable: ["CAP_NET_BIND_SERVICE"],
        ambient: ["CAP_NET_BIND_SERVICE"]
    }'
    set_args cat /proc/self/status
    run_container
    [ "$status" -eq 0 ]
    [ "$(status_field CapBnd)" = "$(cap_mask CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE CAP_AUDIT_WRITE CAP_SETUID CAP_NET_RAW)" ]
    [ "$(status_field CapInh)" = "$(cap_mask CAP_NET_BIND_SERVICE)" ]
    [ "$(status_field CapAmb)" = "$(cap_mask CAP_NET_BIND_SERVICE)" ]
    # execve as uid 0 would raise permitted to bounding|inheritable; no_new_privs limits it to the permitted set held
    # before execve, and root's effective set follows its permitted set.
    [ "$(status_field CapPrm)" = "$(cap_mask CAP_KILL CAP_NET_BIND_SERVICE)" ]
    [ "$(status_field CapEff)" = "$(cap_mask CAP_KILL CAP_NET_BIND_SERVICE)" ]
}

@test "capabilities: root without noNewPrivileges gains bounding | inheritable at execve" {
    cfg '.process.noNewPrivileges = false | .process.capabilities = {
        bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID"],
        effective: ["CAP_KILL"],
        permitted: ["CAP_KILL"],
        inheritable: ["CAP_NET_BIND_SERVICE"],
        ambient: []
    }'
    set_args cat /proc/self/status
    run_container
    [ "$status" -eq 0 ]
    local bnd
    bnd=$(cap_mask CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE CAP_SETUID)
    [ "$(status_field CapBnd)" = "$bnd" ]
    [ "$(status_field CapInh)" = "$(cap_mask CAP_NET_BIND_SERVICE)" ]
    [ "$(status_field CapPrm)" = "$bnd" ]
    [ "$(status_field CapEff)" = "$(status_field CapPrm)" ]
    [ "$(status_field CapAmb)" = 0000000000000000 ]
}

@test "capabilities: a non-root user keeps exactly the ambient set" {
    cfg '.process.user = {uid: 1000, gid: 1000}
        | .process.capabilities = {
            bounding: ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SETGID"],
            effective: ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
            permitted: ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
            inheritable: ["CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
            ambient: ["CAP_NET_BIND_SERVICE", "CAP_NET_RAW"]
        }'
    set_args cat /proc/self/status
    run_container
    [ "$status" -eq 0 ]
    local amb
    amb=$(cap_mask CAP_NET_BIND_SERVICE CAP_NET_RAW)
    [ "$(status_field CapBnd)" = "$(cap_mask CAP_KILL CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_SETGID)" ]
    [ "$(status_field CapInh)" = "$amb" ]
    [ "$(status_field CapAmb)" = "$amb" ]
    # execve as a non-root user without file capabilities: permitted = effective = ambient.
    [ "$(status_field CapPrm)" = "$amb" ]
    [ "$(status_field CapEff)" = "$amb" ]
}

@test "capabilities: an empty set drops everything, even for root" {
    cfg '.process.capabilities = {bounding: [], effective: [], permitted: [], inheritable: [], ambient: []}'
    set_args cat /proc/self/status
    run_container
    [ "$status" -eq 0 ]
    local zero=0000000000000000
    [ "$(status_field CapBnd)" = $zero ]
    [ "$(status_field CapInh)" = $zero ]
    [ "$(status_field CapPrm)" = $zero ]
    [ "$(status_field CapEff)" = $zero ]
    [ "$(status_field CapAmb)" = $zero ]
}

@test "capabilities: without ambient and inheritable, root has the bounding set and nothing inheritable" {
    set_args cat /proc/self/status
    run_container
    [ "$status" -eq 0 ]
    local bnd
    bnd=$(cap_mask CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE)
    [ "$(status_field CapBnd)" = "$bnd" ]
    [ "$(status_field CapEff)" = "$bnd" ]
    [ "$(status_field CapInh)" = 0000000000000000 ]
    [ "$(status_field CapAmb)" = 0000000000000000 ]
}

@test "capabilities: a dropped capability is really gone (chown fails without CAP_CHOWN)" {
    set_args sh -c 'touch /tmp/f && chown 1000 /tmp/f'
    run_container
    [ "$status" -ne 0 ]
    cfg '.process.capabilities.bounding += ["CAP_CHOWN"] | .process.capabilities.effective += ["CAP_CHOWN"]
        | .process.capabilities.permitted += ["CAP_CHOWN"]'
    run_container
    [ "$status" -eq 0 ]
}

@test "noNewPrivileges: NoNewPrivs is 1 when set and 0 when not" {
    set_args cat /proc/self/status
    run_container
    [ "$status" -eq 0 ]
    [ "$(status_field NoNewPrivs)" = 1 ]
    cfg '.process.noNewPrivileges = false'
    run_container
    [ "$status" -eq 0 ]
    [ "$(status_field NoNewPrivs)" = 0 ]
}

@test "env and cwd: exactly the configured environment, in the configured directory" {
    cfg '.process.env = ["PATH=/bin:/sbin", "GREETING=hello world", "EMPTY=", $mark] | .process.cwd = "/home/app"' \
        --arg mark "TAURUN_TEST_MARK=$TEST_MARK"
    set_args sh -c 'pwd; echo "$GREETING"; env | sort'
    run_container
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = /home/app ]
    [ "${lines[1]}" = "hello world" ]
    # Only the configured variables (sh adds PWD and SHLVL; runtimes add HOME from /etc/passwd when it is unset);
    # nothing of the caller's environment leaks in.
    run grep -v -E '^(PWD|SHLVL|OLDPWD|HOME)=' <<< "$(printf '%s\n' "${lines[@]:2}")"
    [ "$output" = "$(printf '%s\n' "EMPTY=" "GREETING=hello world" "PATH=/bin:/sbin" "TAURUN_TEST_MARK=$TEST_MARK")" ]
}

@test "fds: only 0, 1 and 2 reach the container process" {
    id=$(new_id)
    set_args sleep 100
    exec 5< /dev/null 6> "$BATS_TEST_TMPDIR/fd6" 7< "$BUNDLE/config.json"
    # fds 3 (bats' own), 5, 6 and 7 are open in the runtime; none may reach the container process.
    rt create --bundle "$BUNDLE" "$id" < /dev/null > /dev/null 2>&1
    exec 5<&- 6>&- 7<&-
    local pid
    pid=$(rt state "$id" | jq -r .pid)
    rt start "$id"
    wait_status "$id" running
    sleep 0.2
    [ "$(ls /proc/"$pid"/fd | sort -n | tr '\n' ' ')" = "0 1 2 " ]
}

@test "fds: extra fds of the caller do not leak into the container (seen from inside)" {
    set_args ls /proc/self/fd
    id=$(new_id)
    exec 5< /dev/null 6> "$BATS_TEST_TMPDIR/fd6" 7< "$BUNDLE/config.json" 8< /dev/null 9< /dev/null
    run --separate-stderr rt run --bundle "$BUNDLE" "$id"
    exec 5<&- 6>&- 7<&- 8<&- 9<&-
    [ "$status" -eq 0 ]
    # 3 is the directory ls itself opens to list /proc/self/fd.
    [ "$(echo $output)" = "0 1 2 3" ]
}

@test "--preserve-fds N passes fds 3..3+N-1 and nothing above" {
    id=$(new_id)
    echo first > "$BATS_TEST_TMPDIR/f3"
    echo second > "$BATS_TEST_TMPDIR/f4"
    echo third > "$BATS_TEST_TMPDIR/f5"
    set_args sh -c 'cat <&3; cat <&4; if [ -e /proc/self/fd/5 ]; then echo fd5-leaked; fi'
    local out="$BATS_TEST_TMPDIR/out" rc=0
    (
        exec 3< "$BATS_TEST_TMPDIR/f3" 4< "$BATS_TEST_TMPDIR/f4" 5< "$BATS_TEST_TMPDIR/f5"
        exec "$RUNTIME" --root "$STATE_ROOT" run --preserve-fds 2 --bundle "$BUNDLE" "$id" > "$out" 2>&1
    ) || rc=$?
    cat "$out"
    [ "$rc" -eq 0 ]
    [ "$(echo $(cat "$out"))" = "first second" ]
}

@test "--preserve-fds with create: the fds reach the process after start" {
    id=$(new_id)
    echo payload > "$BATS_TEST_TMPDIR/f3"
    SHARED="$BATS_TEST_TMPDIR/shared"
    mkdir -p "$SHARED"
    cfg '.mounts += [{destination: "/shared", type: "bind", source: $s, options: ["rbind", "rw"]}]' --arg s "$SHARED"
    set_args sh -c 'cat <&3 > /shared/got; ls /proc/self/fd > /shared/fds'
    (
        exec 3< "$BATS_TEST_TMPDIR/f3"
        exec "$RUNTIME" --root "$STATE_ROOT" create --preserve-fds 1 --bundle "$BUNDLE" "$id" \
            < /dev/null > /dev/null 2>&1
    )
    rt start "$id"
    wait_status "$id" stopped
    [ "$(cat "$SHARED/got")" = payload ]
    [ "$(echo $(cat "$SHARED/fds"))" = "0 1 2 3 4" ]   # 4 is ls's own directory fd
}

@test "linux.sysctl: a namespaced sysctl is set inside the container only" {
    local host
    host=$(cat /proc/sys/net/ipv4/ip_forward)
    local want=$(( 1 - host ))
    cfg '.linux.sysctl = {"net.ipv4.ip_forward": $v}' --arg v "$want"
    set_args cat /proc/sys/net/ipv4/ip_forward
    run_container
    [ "$status" -eq 0 ]
    [ "$output" = "$want" ]
    [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host" ]
}

@test "process.oomScoreAdj is applied" {
    cfg '.process.oomScoreAdj = 500'
    set_args cat /proc/self/oom_score_adj
    run_container
    [ "$status" -eq 0 ]
    [ "$output" = 500 ]
}
