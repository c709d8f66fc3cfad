#!/usr/bin/env bash
# Concurrency: many commands at the same instant on one container, and commands on different containers.
#
#   scripts/concurrency.sh RUNTIME ROUNDS N [SEED]      e.g. scripts/concurrency.sh .build/release/taurun 10 10
#
# Three tests, ROUNDS rounds each; the N commands of a round are released together through a barrier (each waits
# on a shared flock of a file the script holds exclusively, then all proceed at once):
#   same-id create   N `create --pid-file P_k` of one id: exactly one succeeds; every other one fails (exit 1-123)
#                    saying "already exists" and writes no pid file; the survivor is untouched: `state` says created
#                    with the winner's pid, that process lives in the container's cgroup, and `start` then runs it.
#   mixed ops        on a created container, N commands drawn from the seed among start, kill KILL, kill TERM,
#                    delete, delete --force, state, list: none hangs or crashes (exit >= 124), every failure says why,
#                    every `state`/`list` answer is well-formed, and once a delete has succeeded `state` says
#                    "does not exist".
#   other ids        while the script holds flock(LOCK_EX) on container A's state directory (<root>/A, the lock
#                    taurun takes), create/start/state/kill/delete --force of container B and `list` each finish
#                    within 5 s; for taurun, a `start A` must wait for the lock (so the test cannot pass vacuously),
#                    and succeed once it is released.
# After each round every container is deleted with --force and checked for leftovers (mounts, cgroups, state entries,
# processes) as in faults.sh; anything found is reported and removed. The last line is "N passed, N failed" (one per
# round per test); the exit status is 1 if anything failed. REL_KEEP=1 keeps the work directory.
set -uo pipefail

runtime=${1:?usage: concurrency.sh RUNTIME ROUNDS N [SEED]}
rounds=${2:?usage: concurrency.sh RUNTIME ROUNDS N [SEED]}
parallel=${3:?usage: concurrency.sh RUNTIME ROUNDS N [SEED]}
seed=${4:-1}
[[ $rounds =~ ^[0-9]+$ && $parallel =~ ^[0-9]+$ && $seed =~ ^[0-9]+$ ]] \
    || { echo "concurrency.sh: ROUNDS, N and SEED are numbers" >&2; exit 2; }

# shellcheck source=../Tests/Reliability/leftovers.bash
source "$(dirname "${BASH_SOURCE[0]}")/../Tests/Reliability/leftovers.bash"
rel_init "$runtime" taurun-concurrency || exit 2
trap rel_finish EXIT
trap 'exit 130' INT TERM

tag=$$
# The bound for one command on another container while A is locked.
independent_limit=5
is_taurun=0
[[ $(basename "$REL_RUNTIME") == taurun* ]] && is_taurun=1

declare -A pass=() fail=()
total_pass=0 total_fail=0
start_time=$SECONDS
# Figures for the summary.
multi_winner_rounds=0 zero_winner_rounds=0 lock_honoured=0 lock_ignored=0 max_other_ms=0

echo "concurrency: $REL_RUNTIME, $rounds rounds x $parallel, seed $seed"

# Records the outcome of one round of test $1 from the global `problems` array; $2 describes the round.
record() {
    local test=$1 desc=$2 p
    REL_LIVE=()
    if (( ${#problems[@]} == 0 )); then
        pass[$test]=$(( ${pass[$test]:-0} + 1 ))
        total_pass=$((total_pass + 1))
    else
        fail[$test]=$(( ${fail[$test]:-0} + 1 ))
        total_fail=$((total_fail + 1))
        echo "FAIL $test, $desc"
        for p in "${problems[@]}"; do echo "       $p"; done
    fi
}

# Adds every line of stdin to `problems`.
collect() {
    local line
    while IFS= read -r line; do
        [[ -n $line ]] && problems+=("$line")
    done
}

# delete --force of container $1 (bundle $2, marker $3), then the leftover checks; scrubs whatever was found.
finish_container() {
    local id=$1 dir=$2 mark=$3 before=${#problems[@]}
    if ! rel_rt delete --force "$id" > "$dir.del" 2>&1; then
        problems+=("delete: delete --force $id failed: $(head -c 300 "$dir.del" | tr '\n' ' ')")
    fi
    collect < <(rel_leftovers "$id" "$dir" "$mark"; rel_check_gone "$id")
    if (( ${#problems[@]} > before )); then
        rel_scrub "$id" "$dir" "$mark"
    else
        rm -rf --one-file-system "$dir"
    fi
    rm -f "$dir".*
}

# Starts each of the commands in the array named $1 (one string per command, words split on spaces) as
# `RUNTIME --root STATE WORDS` behind a barrier, releases them together and waits for all. Outputs go to
# $2.out.K / $2.err.K and exit codes to the global array `rcs`.
barrier_run() {
    local -n commands=$1
    local prefix=$2 barrier="$2.barrier" bfd k pids=()
    : > "$barrier"
    exec {bfd}> "$barrier"
    flock -x "$bfd"
    for k in "${!commands[@]}"; do
        # shellcheck disable=SC2086 # the command string is split into words on purpose
        timeout -k 2 "$REL_TIMEOUT" flock -o -s "$barrier" "$REL_RUNTIME" --root "$REL_STATE" ${commands[k]} \
            < /dev/null > "$prefix.out.$k" 2> "$prefix.err.$k" {bfd}>&- {REL_SLEEP_FD}>&- &
        pids[k]=$!
    done
    # Open the barrier once every one of them waits on it (/proc/locks lists each waiter as "-> FLOCK ... :INODE"),
    # or after 10 s on a very slow machine.
    local inode waiting tries=200
    inode=$(stat -c %i "$barrier")
    while (( tries-- > 0 )); do
        waiting=$(grep -c -- "-> FLOCK .*:$inode " /proc/locks)
        (( waiting >= ${#pids[@]} )) && break
        rel_usleep 50000
    done
    REL_BG_PID="${pids[*]}"
    exec {bfd}>&-
    rcs=()
    for k in "${!pids[@]}"; do
        wait "${pids[k]}"
        rcs[k]=$?
    done
    REL_BG_PID=""
}

# --- same-id create -----------------------------------------------------------------------------------------------
same_id_round() {
    local r=$1 id="cc${tag}c${r}z" mark="ccmark-${tag}-c${r}-z" dir="$REL_WORK/c$r" k winners=() err pid state
    problems=()
    rel_make_bundle "$dir" "$mark"
    REL_LIVE=("$id|$dir|$mark")
    local cmds=()
    for ((k = 0; k < parallel; k++)); do cmds[k]="create --pid-file $dir.pid.$k --bundle $dir $id"; done
    barrier_run cmds "$dir"
    for k in "${!rcs[@]}"; do
        if (( rcs[k] == 0 )); then
            winners+=("$k")
        else
            err=$(head -c 300 "$dir.err.$k" | tr '\n' ' ')
            if (( rcs[k] >= 124 )); then
                problems+=("create #$k: exit ${rcs[k]} (hang or crash): $err")
            elif ! grep -qi 'already exists' "$dir.err.$k"; then
                problems+=("create #$k: exit ${rcs[k]} without \"already exists\": $err")
            fi
            [[ -e $dir.pid.$k ]] && problems+=("create #$k failed but wrote its pid file ($(cat "$dir.pid.$k"))")
        fi
    done
    if (( ${#winners[@]} != 1 )); then
        problems+=("${#winners[@]} of $parallel creates succeeded (winners: ${winners[*]:-none})")
        (( ${#winners[@]} > 1 )) && multi_winner_rounds=$((multi_winner_rounds + 1))
        (( ${#winners[@]} == 0 )) && zero_winner_rounds=$((zero_winner_rounds + 1))
    fi
    if (( ${#winners[@]} >= 1 )); then
        k=${winners[0]}
        pid=$(cat "$dir.pid.$k" 2> /dev/null)
        state=$(rel_rt state "$id" 2>&1)
        if ! jq -e --argjson pid "${pid:-0}" '.status == "created" and .pid == $pid' <<< "$state" > /dev/null 2>&1; then
            problems+=("survivor: state is not \"created\" with the winner's pid ${pid:-?}: $(head -c 300 <<< "$state" | tr '\n' ' ')")
        elif ! grep -qF "$id" "/proc/$pid/cgroup" 2> /dev/null; then
            problems+=("survivor: process $pid is not in a cgroup of $id")
        fi
        if ! rel_rt start "$id" > "$dir.start" 2>&1; then
            problems+=("survivor: start failed: $(head -c 300 "$dir.start" | tr '\n' ' ')")
        else
            state=$(rel_rt state "$id" 2>&1)
            jq -e '.status == "running"' <<< "$state" > /dev/null 2>&1 \
                || problems+=("survivor: not running after start: $(head -c 300 <<< "$state" | tr '\n' ' ')")
        fi
    fi
    finish_container "$id" "$dir" "$mark"
    record same-id-create "round $r: ${#winners[@]} winner(s)"
}

# --- mixed ops ----------------------------------------------------------------------------------------------------
ops=("start" "kill ID KILL" "kill ID TERM" "delete" "delete --force" "state" "list --format json")

mixed_round() {
    local r=$1 id="cc${tag}m${r}z" mark="ccmark-${tag}-m${r}-z" dir="$REL_WORK/m$r" k op err out deleted=0
    problems=()
    rel_make_bundle "$dir" "$mark"
    REL_LIVE=("$id|$dir|$mark")
    local cmds=() names=()
    for ((k = 0; k < parallel; k++)); do
        op=${ops[RANDOM % ${#ops[@]}]}
        names[k]=$op
        case $op in
            "kill ID "*) cmds[k]="kill $id ${op##* }" ;;
            "list --format json") cmds[k]=$op ;;
            *) cmds[k]="$op $id" ;;
        esac
    done
    if ! rel_rt create --bundle "$dir" "$id" > "$dir.setup" 2>&1; then
        problems+=("setup: create failed: $(head -c 300 "$dir.setup" | tr '\n' ' ')")
    else
        barrier_run cmds "$dir"
        for k in "${!rcs[@]}"; do
            op=${names[k]}
            err=$(head -c 300 "$dir.err.$k" | tr '\n' ' ')
            out=$(cat "$dir.out.$k")
            if (( rcs[k] >= 124 )); then
                problems+=("$op: exit ${rcs[k]} (hang or crash): $err")
            elif (( rcs[k] != 0 )) && [[ -z $err ]]; then
                problems+=("$op: exit ${rcs[k]} with no message")
            elif (( rcs[k] == 0 )); then
                case $op in
                    state)
                        jq -e --arg id "$id" --arg re "$REL_VALID_STATUS" '.id == $id and (.status | test($re))' \
                            <<< "$out" > /dev/null 2>&1 || problems+=("state: broken answer: $(head -c 300 <<< "$out")") ;;
                    list*)
                        jq -e --arg re "$REL_VALID_STATUS" '(. // []) | all(.[]; (.id | type == "string") and (.status | test($re)))' \
                            <<< "$out" > /dev/null 2>&1 || problems+=("list: broken answer: $(head -c 300 <<< "$out")") ;;
                    delete*) deleted=1 ;;
                esac
            fi
        done
        collect < <(rel_check_views "$id")
        if (( deleted )); then
            out=$(rel_rt state "$id" 2>&1)
            grep -qiE 'does not exist|no such file or directory' <<< "$out" \
                || problems+=("a delete succeeded but state still answers: $(head -c 300 <<< "$out" | tr '\n' ' ')")
        fi
    fi
    finish_container "$id" "$dir" "$mark"
    local summary
    summary=$(printf '%s\n' "${names[@]}" | sort | uniq -c | awk '{ $1 = $1 "x"; print }' | paste -sd, -)
    record mixed-ops "round $r: $summary"
}

# --- other ids ----------------------------------------------------------------------------------------------------
# Runs `RUNTIME WORDS...` bounded by $independent_limit with fd $lk closed; sets `elapsed_ms` and returns its status.
timed_rt() {
    local t0=$EPOCHREALTIME rc
    timeout -k 1 "$independent_limit" "$REL_RUNTIME" --root "$REL_STATE" "$@" < /dev/null {lk}<&- {REL_SLEEP_FD}>&-
    rc=$?
    local t1=$EPOCHREALTIME
    elapsed_ms=$(( (${t1/./} - ${t0/./}) / 1000 ))
    (( elapsed_ms > max_other_ms )) && max_other_ms=$elapsed_ms
    return $rc
}

other_ids_round() {
    local r=$1 a="cc${tag}a${r}z" b="cc${tag}b${r}z" rc step
    local amark="ccmark-${tag}-a${r}-z" bmark="ccmark-${tag}-b${r}-z" adir="$REL_WORK/a$r" bdir="$REL_WORK/b$r"
    problems=()
    rel_make_bundle "$adir" "$amark"
    rel_make_bundle "$bdir" "$bmark"
    REL_LIVE=("$a|$adir|$amark" "$b|$bdir|$bmark")
    if ! rel_rt create --bundle "$adir" "$a" > "$adir.setup" 2>&1; then
        problems+=("setup: create of A failed: $(head -c 300 "$adir.setup" | tr '\n' ' ')")
    elif ! exec {lk}< "$REL_STATE/$a"; then
        problems+=("setup: cannot open A's state directory $REL_STATE/$a")
    else
        if ! flock -x -w 5 "$lk"; then
            problems+=("setup: could not lock A's state directory within 5 s")
        else
            for step in "create --bundle $bdir $b" "state $b" "start $b" "state $b" "kill $b KILL" "list" \
                "delete --force $b"; do
                # shellcheck disable=SC2086 # split into words on purpose
                timed_rt $step > "$bdir.out" 2> "$bdir.err"
                rc=$?
                if (( rc == 124 || rc == 137 )); then
                    problems+=("'${step%% *} B' did not finish within ${independent_limit} s while A was locked")
                elif (( rc != 0 )); then
                    problems+=("'${step%% *} B' failed (exit $rc) while A was locked: $(head -c 200 "$bdir.err" | tr '\n' ' ')")
                fi
            done
            # Does the runtime take this lock at all? For taurun it must, or this test proves nothing.
            timeout -k 1 1 "$REL_RUNTIME" --root "$REL_STATE" start "$a" < /dev/null > /dev/null 2>&1 {lk}<&- {REL_SLEEP_FD}>&-
            rc=$?
            if (( rc == 124 )); then
                lock_honoured=$((lock_honoured + 1))
            else
                lock_ignored=$((lock_ignored + 1))
                (( is_taurun )) && problems+=("'start A' did not wait for A's lock (exit $rc)")
            fi
        fi
        exec {lk}<&-
        if (( is_taurun )); then
            rel_rt start "$a" > "$adir.start" 2>&1 \
                || problems+=("'start A' failed after the lock was released: $(head -c 200 "$adir.start" | tr '\n' ' ')")
        fi
    fi
    finish_container "$b" "$bdir" "$bmark"
    finish_container "$a" "$adir" "$amark"
    record other-ids "round $r"
}

RANDOM=$seed
for ((r = 1; r <= rounds; r++)); do same_id_round "$r"; done
for ((r = 1; r <= rounds; r++)); do mixed_round "$r"; done
for ((r = 1; r <= rounds; r++)); do other_ids_round "$r"; done

echo
printf '%-16s %7s %7s\n' test passed failed
for t in same-id-create mixed-ops other-ids; do
    printf '%-16s %7d %7d\n' "$t" "${pass[$t]:-0}" "${fail[$t]:-0}"
done
echo "same-id create: $multi_winner_rounds round(s) with more than one winner, $zero_winner_rounds with none"
echo "other ids: A's lock held up 'start A' in $lock_honoured round(s), not in $lock_ignored;" \
    "slowest command on B while A was locked: $max_other_ms ms"
echo "time: $((SECONDS - start_time)) s"
echo "$total_pass passed, $total_fail failed"
(( total_fail == 0 ))
