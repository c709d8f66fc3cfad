#!/usr/bin/env bash
# Fault injection: SIGKILL an OCI runtime at a random instant of one lifecycle command, then `delete --force`, and
# prove nothing of the container survives.
#
#   scripts/faults.sh RUNTIME N SEED        e.g. scripts/faults.sh .build/release/taurun 200 42
#
# Each iteration picks, from the seed, a phase and a delay (0-50 ms, quadratic so that half the kills land in the
# first 12 ms, where a create does most of its work):
#   create   `create` of a fresh container
#   start    `start` of a created container
#   run      `run` in the foreground
#   run-d    `run --detach`
#   kill     `kill ID KILL` of a running container (or TERM, by the seed)
#   delete   `delete --force` of a created or running container (by the seed)
#   exec     `exec ID sh -c 'sleep 1000; true' MARK` in a running container, foreground or --detach (by the seed);
#            not in the default list (runtimes without exec), ask for it with FAULTS_PHASES
# It starts the command on a fresh id, SIGKILLs the runtime process after the delay, checks that `state` and `list`
# give a correct answer or a clean error (never a broken entry), runs `delete --force ID`, and then checks:
#   mount    no line of /proc/self/mountinfo names the bundle, the state entry or the id
#   cgroup   no directory named after the id in any mounted cgroup hierarchy (v1 controllers, named, unified)
#   state    no entry named after the id under the state root
#   process  no process with the container's marker (argv of pid 1, environment), the id in its argv or cgroup,
#            or its cwd/root in the bundle
#   view     `state ID` fails with "does not exist" and `list` does not show the id
#   delete   `delete --force` exits 0 within the time limit
# Whatever is found is reported, then removed (only objects named after the id or found by the marker), so one
# leftover is counted once. The last line is "N passed, N failed"; the exit status is 1 if any iteration failed.
#
# The plan (phases, delays, variants) is a pure function of the seed; outcomes depend on timing, as they must.
# FAULTS_ONLY=i runs only iteration i of the plan (to reproduce a failure); FAULTS_VERBOSE=1 prints every iteration;
# FAULTS_PHASES="create run" restricts the phases; FAULTS_MAX_DELAY_US (default 50000) stretches the delays;
# REL_KEEP=1 keeps the work directory; REL_TIMEOUT (default 20 s) bounds every runtime call. REL_TAU=1 gives the
# bundles Tau app annotations and a seccomp profile, so taurun also starts its security monitor for each container.
set -uo pipefail

runtime=${1:?usage: faults.sh RUNTIME N SEED}
iterations=${2:?usage: faults.sh RUNTIME N SEED}
seed=${3:?usage: faults.sh RUNTIME N SEED}
[[ $iterations =~ ^[0-9]+$ && $seed =~ ^[0-9]+$ ]] || { echo "faults.sh: N and SEED are numbers" >&2; exit 2; }

# shellcheck source=../Tests/Reliability/leftovers.bash
source "$(dirname "${BASH_SOURCE[0]}")/../Tests/Reliability/leftovers.bash"
rel_init "$runtime" taurun-faults || exit 2
trap rel_finish EXIT
trap 'exit 130' INT TERM

default_phases=(create start run run-d kill delete)
all_phases=("${default_phases[@]}" exec)
read -r -a phases <<< "${FAULTS_PHASES:-${default_phases[*]}}"
for phase in "${phases[@]}"; do
    [[ " ${all_phases[*]} " == *" $phase "* ]] || { echo "faults.sh: unknown phase $phase" >&2; exit 2; }
done
max_delay=${FAULTS_MAX_DELAY_US:-50000}
only=${FAULTS_ONLY:-}
verbose=${FAULTS_VERBOSE:-}
# Ids are unique per run (the pid) and end in "z", so no id is a prefix of another one's cgroup or state name.
tag=$$

# The plan, drawn before anything runs so that nothing else consumes the generator.
RANDOM=$seed
plan_phase=() plan_delay=() plan_variant=()
for ((i = 1; i <= iterations; i++)); do
    plan_phase[i]=${phases[RANDOM % ${#phases[@]}]}
    r=$RANDOM
    plan_delay[i]=$(( max_delay * r * r / (32768 * 32768) ))
    plan_variant[i]=$((RANDOM % 2))
done

declare -A runs=() cut=() passed=() failed=() kinds=()
total_pass=0 total_fail=0
start_time=$SECONDS

echo "faults: $REL_RUNTIME, $iterations iterations, seed $seed, phases ${phases[*]}, delays 0-$((max_delay / 1000)) ms"

# Brings container $1 (bundle $2) to `created`, or to `running` when $3 is "running". Prints a problem on failure.
prepare() {
    local id=$1 dir=$2 want=$3
    if ! rel_rt create --bundle "$dir" "$id" > "$dir.setup.out" 2>&1; then
        echo "setup: create failed: $(head -c 300 "$dir.setup.out" | tr '\n' ' ')"
        return 1
    fi
    if [[ $want == running ]] && ! rel_rt start "$id" > "$dir.setup.out" 2>&1; then
        echo "setup: start failed: $(head -c 300 "$dir.setup.out" | tr '\n' ' ')"
        return 1
    fi
}

for ((i = 1; i <= iterations; i++)); do
    [[ -n $only && $i != "$only" ]] && continue
    phase=${plan_phase[i]} delay=${plan_delay[i]} variant=${plan_variant[i]}
    id="flt${seed}-${tag}i${i}z"
    mark="relmark-${tag}-${i}-z"
    dir="$REL_WORK/b$i"
    rel_make_bundle "$dir" "$mark"
    REL_LIVE=("$id|$dir|$mark")
    problems=()

    # Setup for the phases that act on an existing container; the command under test, as argv.
    cmd=()
    case $phase in
        create) cmd=(create --bundle "$dir" "$id") ;;
        start)
            mapfile -t problems < <(prepare "$id" "$dir" created)
            cmd=(start "$id") ;;
        run) cmd=(run --bundle "$dir" "$id") ;;
        run-d) cmd=(run --detach --bundle "$dir" "$id") ;;
        kill)
            mapfile -t problems < <(prepare "$id" "$dir" running)
            if (( variant )); then cmd=(kill "$id" TERM); else cmd=(kill "$id" KILL); fi ;;
        delete)
            if (( variant )); then
                mapfile -t problems < <(prepare "$id" "$dir" running)
            else
                mapfile -t problems < <(prepare "$id" "$dir" created)
            fi
            cmd=(delete --force "$id") ;;
        exec)
            mapfile -t problems < <(prepare "$id" "$dir" running)
            # The exec'd process carries the marker in its argv, so a survivor is found like the container's own.
            if (( variant )); then
                cmd=(exec --detach "$id" sh -c "sleep 1000; true" "$mark")
            else
                cmd=(exec "$id" sh -c "sleep 1000; true" "$mark")
            fi ;;
    esac

    # The runtime itself is the background job (no timeout(1) in between), so the SIGKILL hits the runtime.
    "$REL_RUNTIME" --root "$REL_STATE" "${cmd[@]}" < /dev/null > "$dir.out" 2> "$dir.err" {REL_SLEEP_FD}>&- &
    pid=$!
    REL_BG_PID=$pid
    rel_usleep "$delay"
    kill -9 "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null
    rc=$?
    REL_BG_PID=""
    was_cut=0
    (( rc == 137 )) && was_cut=1

    # While the container may be half-made: correct answers or clean errors only.
    while read -r line; do
        [[ -n $line ]] && problems+=("$line")
    done < <(rel_check_views "$id")

    rel_rt delete --force "$id" > "$dir.del" 2>&1
    drc=$?
    if (( drc != 0 )); then
        problems+=("delete: delete --force exit $drc: $(head -c 300 "$dir.del" | tr '\n' ' ')")
    fi
    while read -r line; do
        [[ -n $line ]] && problems+=("$line")
    done < <(rel_leftovers "$id" "$dir" "$mark"; rel_check_gone "$id")

    runs[$phase]=$(( ${runs[$phase]:-0} + 1 ))
    cut[$phase]=$(( ${cut[$phase]:-0} + was_cut ))
    desc="iteration $i: $phase (${cmd[*]/#$dir/BUNDLE}) after $((delay / 1000)).$(printf '%03d' $((delay % 1000))) ms"
    desc+=", $( ((was_cut)) && echo "killed mid-command" || echo "command had ended (exit $rc)")"
    if (( ${#problems[@]} == 0 )); then
        passed[$phase]=$(( ${passed[$phase]:-0} + 1 ))
        total_pass=$((total_pass + 1))
        [[ -n $verbose ]] && echo "ok   $desc"
    else
        failed[$phase]=$(( ${failed[$phase]:-0} + 1 ))
        total_fail=$((total_fail + 1))
        echo "FAIL $desc (id $id)"
        for p in "${problems[@]}"; do
            echo "       $p"
            k=${p%%:*}
            kinds[$k]=$(( ${kinds[$k]:-0} + 1 ))
        done
    fi
    # Remove what was found, so that each leftover is counted once and none accumulates.
    if (( ${#problems[@]} > 0 )); then
        rel_scrub "$id" "$dir" "$mark"
    else
        rm -rf --one-file-system "$dir"
    fi
    rm -f "$dir".*
    REL_LIVE=()
done

echo
printf '%-8s %6s %8s %7s %7s\n' phase runs killed passed failed
for phase in "${all_phases[@]}"; do
    [[ -z ${runs[$phase]:-} ]] && continue
    printf '%-8s %6d %8d %7d %7d\n' "$phase" "${runs[$phase]}" "${cut[$phase]:-0}" "${passed[$phase]:-0}" \
        "${failed[$phase]:-0}"
done
if (( ${#kinds[@]} > 0 )); then
    line="problems by kind:"
    for k in $(printf '%s\n' "${!kinds[@]}" | sort); do line+=" $k ${kinds[$k]},"; done
    echo "${line%,}"
fi
echo "time: $((SECONDS - start_time)) s"
echo "$total_pass passed, $total_fail failed"
(( total_fail == 0 ))
