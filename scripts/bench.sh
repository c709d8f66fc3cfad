#!/usr/bin/env bash
# `make bench`: taurun, crun and runc side by side with hyperfine, on one bundle (busybox `true` over the shared
# read-only rootfs): `RUNTIME run` and create+start+delete; `taurun convert` of a Tau app (issue 4: <= 5 ms); and the
# cost of seccomp on a syscall-heavy loop inside a container, per runtime and profile (issue 6). Prints the results
# and writes them, with the machine and the date, to docs/benchmarks.md. A benchmark, not a timed test: nothing
# fails on a slow result.
#
#   scripts/bench.sh TAURUN ROOTFS OUTPUT.md
#   BENCH_RUNTIMES="crun runc" BENCH_RUNS=100 scripts/bench.sh ...
#   BENCH_CONVERT_RUNS=300       timed runs per convert command (default 200)
#   BENCH_SECCOMP_COUNT=300000   dd bs=1 count (2 syscalls each) per loop; BENCH_SECCOMP_LOOPS=5 loops per
#                                container, BENCH_SECCOMP_CONTAINERS=4 containers per runtime and profile
#   BENCH_DEFAULT_SECCOMP=F.json the "default" profile when `taurun spec` emits no linux.seccomp
#   BENCH_PODMAN_RUNS=20         timed `podman run --rm` per runtime (0 skips the Podman goal)
#   BENCH_RSS_RUNS=10            `run`s per runtime for the peak RSS
#   BENCH_SCALE_SEQUENTIAL=200 BENCH_SCALE_CONCURRENT=20   the scale check's sizes
#
# Last, it prints the five goals of issue 17 with the measured figure and whether it holds, and writes that table
# at the top of the output.
set -euo pipefail

taurun=${1:?usage: bench.sh TAURUN ROOTFS OUTPUT.md}
rootfs=${2:?usage: bench.sh TAURUN ROOTFS OUTPUT.md}
out=${3:?usage: bench.sh TAURUN ROOTFS OUTPUT.md}
runs=${BENCH_RUNS:-50}
names=(${BENCH_RUNTIMES:-taurun crun runc})

repo=$(cd "$(dirname "$0")/.." && pwd)
work="$repo/build/bench"
bundle="$work/bundle"
rm -rf "$work"
mkdir -p "$bundle"

declare -A bin=()
for name in "${names[@]}"; do
    case $name in
        taurun) bin[$name]=$(realpath "$taurun") ;;
        *) bin[$name]=$(command -v "$name") || { echo "bench: $name not found" >&2; exit 1; } ;;
    esac
done

# One config for all runtimes: taurun's own `spec` when it has one, else runc's (both are runc-spec shaped).
spec_from=taurun
if ! (cd "$bundle" && "$taurun" spec > /dev/null 2>&1) || [[ ! -s $bundle/config.json ]]; then
    spec_from=runc
    rm -f "$bundle/config.json"
    (cd "$bundle" && runc spec)
fi
# root.path is the shared rootfs itself (absolute): runc refuses a rootfs that is a symlink. ociVersion 1.0.2: the
# config uses nothing newer, and crun 1.8 refuses "1.2.0" ("unknown version specified").
jq --arg root "$(realpath "$rootfs")" '.ociVersion = "1.0.2" | .process.terminal = false
    | .process.args = ["/bin/true"] | .root = {path: $root, readonly: true}' \
    "$bundle/config.json" > "$bundle/config.json.new"
mv "$bundle/config.json.new" "$bundle/config.json"

# Each runtime proves it can run the bundle before it is timed.
for name in "${names[@]}"; do
    mkdir -p "$work/state-$name"
    if ! "${bin[$name]}" --root "$work/state-$name" run --bundle "$bundle" "bench-check-$name"; then
        echo "bench: $name cannot run the bundle; not benchmarking" >&2
        exit 1
    fi
done

args=()
for name in "${names[@]}"; do
    r="${bin[$name]} --root $work/state-$name"
    args+=(--prepare "$r delete --force bench-$name > /dev/null 2>&1 || true"
        -n "$name run" "$r run --bundle $bundle bench-$name")
done
for name in "${names[@]}"; do
    r="${bin[$name]} --root $work/state-$name"
    args+=(--prepare "$r delete --force cycle-$name > /dev/null 2>&1 || true"
        -n "$name create+start+delete"
        "$r create --bundle $bundle cycle-$name && $r start cycle-$name && $r delete --force cycle-$name")
done

load=$(cut -d' ' -f1-3 /proc/loadavg)
hyperfine --warmup 3 --runs "$runs" --export-json "$work/results.json" --export-markdown "$work/results.md" "${args[@]}"

stat_ms() {   # name statistic(mean|median) -> milliseconds
    jq -r --arg n "$1" --arg s "$2" '.results[] | select(.command == $n) | .[$s] * 1000' "$work/results.json"
}
ratio() {     # a b -> a/b with two decimals
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

ratios=()
has() { [[ " ${names[*]} " == *" $1 "* ]]; }
for kind in run "create+start+delete"; do
    for pair in "taurun crun" "taurun runc" "crun runc"; do
        read -r a b <<< "$pair"
        if has "$a" && has "$b"; then
            ratios+=("| $kind | $a/$b | $(ratio "$(stat_ms "$a $kind" mean)" "$(stat_ms "$b $kind" mean)") | $(
                ratio "$(stat_ms "$a $kind" median)" "$(stat_ms "$b $kind" median)") |")
        fi
    done
done

echo
echo "Ratios of wall time, mean and median (below 1: the first runtime is faster):"
printf '%s\n' "${ratios[@]}"

# --- taurun convert (issue 4: <= 5 ms) -------------------------------------------------------------------------
# One state directory for all timed runs, as on a real host where the app's id range and home already exist.
# "repeat": the same bundle again (a re-convert; files are rewritten only where their bytes change). "new bundle":
# the bundle directory removed before each run, so config.json and tau/ are written anew (the rootfs skeleton is
# shared in the state dir). "first": the state directory removed too (id range allocated, ids.json written durably,
# home and skeleton created). `taurun --version` is the
# floor: process start and argument parsing, no conversion.
convert_runs=${BENCH_CONVERT_RUNS:-200}
cw="$work/convert"
mkdir -p "$cw/data"
tr_bin=$(realpath "$taurun")
rootfs_real=$(realpath "$rootfs")
hello="$tr_bin convert $repo/bundles/hello/tau.toml --rootfs $rootfs_real"
media="$tr_bin convert $repo/bundles/media/manifest.tau --rootfs $rootfs_real --data $cw/data --yes"
$hello --state-dir "$cw/state" --bundle "$cw/hello" > /dev/null
$media --state-dir "$cw/state" --bundle "$cw/media" > /dev/null
hyperfine -N --warmup 10 --runs "$convert_runs" --export-json "$cw/results.json" --export-markdown "$cw/results.md" \
    --prepare true -n "taurun --version" "$tr_bin --version" \
    --prepare true -n "convert hello (repeat)" "$hello --state-dir $cw/state --bundle $cw/hello" \
    --prepare true -n "convert media (repeat)" "$media --state-dir $cw/state --bundle $cw/media" \
    --prepare "rm -rf $cw/fresh" -n "convert hello (new bundle)" "$hello --state-dir $cw/state --bundle $cw/fresh" \
    --prepare "rm -rf $cw/first $cw/first-state" -n "convert hello (first: empty state dir)" \
    "$hello --state-dir $cw/first-state --bundle $cw/first"
convert_stat() {   # name statistic -> milliseconds, two decimals
    jq -r --arg n "$1" --arg s "$2" '.results[] | select(.command == $n) | .[$s] * 1000 * 100 | round / 100' "$cw/results.json"
}
convert_rows=()
floor=$(convert_stat "taurun --version" median)
for name in "taurun --version" "convert hello (repeat)" "convert media (repeat)" "convert hello (new bundle)" \
    "convert hello (first: empty state dir)"; do
    median=$(convert_stat "$name" median)
    convert_rows+=("| \`$name\` | $(convert_stat "$name" mean) | $median | $(convert_stat "$name" min) | $(
        convert_stat "$name" stddev) | $(awk -v a="$median" -v b="$floor" 'BEGIN { printf "%.2f", a - b }') |")
done
echo
echo "taurun convert, mean and median ms:"
printf '%s\n' "${convert_rows[@]}"

# --- seccomp overhead (issue 6) ----------------------------------------------------------------------------------
# A syscall-heavy loop inside a container: busybox dd with bs=1 makes one read and one write per byte. The loop is
# timed inside the container (busybox ts: gettimeofday through the vDSO, so no syscall the filter sees), so
# container start-up and filter loading are not part of the figure. Each runtime runs the same bundle with:
# "default" = taurun's default profile (linux.seccomp of `taurun spec`, or BENCH_DEFAULT_SECCOMP), "tau-app" = the
# seccomp block of the converted bundles/hello (default action KILL_PROCESS, socket argument rules), "none" = no
# linux.seccomp. Containers alternate between runtimes and profiles, so drift in the machine's load spreads evenly.
count=${BENCH_SECCOMP_COUNT:-300000}
loops=${BENCH_SECCOMP_LOOPS:-5}
containers=${BENCH_SECCOMP_CONTAINERS:-4}
sw="$work/seccomp"
mkdir -p "$sw"
default_from=""
if [[ $spec_from == taurun ]] && jq -e '.linux.seccomp != null' "$bundle/config.json" > /dev/null; then
    jq '.linux.seccomp' "$bundle/config.json" > "$sw/default.json"
    default_from="\`taurun spec\`"
elif [[ -n ${BENCH_DEFAULT_SECCOMP:-} ]]; then
    jq -e '.defaultAction' "$BENCH_DEFAULT_SECCOMP" > /dev/null
    cp "$BENCH_DEFAULT_SECCOMP" "$sw/default.json"
    default_from="BENCH_DEFAULT_SECCOMP (\`$BENCH_DEFAULT_SECCOMP\`), as \`taurun spec\` emits no linux.seccomp"
fi
jq '.linux.seccomp' "$cw/hello/config.json" > "$sw/tau-app.json"
profiles=(none tau-app)
[[ -n $default_from ]] && profiles=(none default tau-app)
loop_script="i=0; while [ \$i -lt $loops ]; do a=\$(echo | busybox ts %.s); busybox dd if=/dev/zero of=/dev/null bs=1 count=$count 2>/dev/null; b=\$(echo | busybox ts %.s); echo \"loop \$a \$b\"; i=\$((i + 1)); done"
for profile in "${profiles[@]}"; do
    mkdir -p "$sw/$profile"
    if [[ $profile == none ]]; then
        echo null > "$sw/none.json"   # del(.linux.seccomp) below
    fi
    jq --arg s "$loop_script" --slurpfile profile "$sw/$profile.json" \
        '.process.args = ["/bin/sh", "-c", $s]
        | if $profile[0] == null then del(.linux.seccomp) else .linux.seccomp = $profile[0] end' \
        "$bundle/config.json" > "$sw/$profile/config.json"
done
for ((c = 1; c <= containers; c++)); do
    for name in "${names[@]}"; do
        for profile in "${profiles[@]}"; do
            r="${bin[$name]} --root $work/state-$name"
            id="seccomp-$name-$profile-$c"
            $r delete --force "$id" > /dev/null 2>&1 || true
            if ! loop_out=$($r run --bundle "$sw/$profile" "$id"); then
                echo "bench: $name with profile $profile failed: $loop_out" >&2
                exit 1
            fi
            # "loop START END" (seconds with microseconds) -> milliseconds
            awk '$1 == "loop" { printf "%.3f\n", ($3 - $2) * 1000 }' <<< "$loop_out" >> "$sw/$name-$profile.ms"
        done
    done
done
seccomp_stat() {   # file -> "mean median n"
    sort -n "$1" | awk '{ v[NR] = $1; sum += $1 } END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.1f %.1f %d", sum / NR, m, NR }'
}
seccomp_rows=()
for name in "${names[@]}"; do
    read -r none_mean none_median _ <<< "$(seccomp_stat "$sw/$name-none.ms")"
    for profile in "${profiles[@]}"; do
        read -r mean median n <<< "$(seccomp_stat "$sw/$name-$profile.ms")"
        per_call=$(awk -v a="$mean" -v b="$none_mean" -v c="$count" 'BEGIN { printf "%.0f", (a - b) * 1e6 / (2 * c) }')
        seccomp_rows+=("| $name | $profile | $n | $mean | $median | $(ratio "$mean" "$none_mean") | $(
            ratio "$median" "$none_median") | $([[ $profile == none ]] && echo - || echo "$per_call") |")
    done
done
echo
echo "Seccomp overhead: dd bs=1 count=$count (≈ $((2 * count)) syscalls) inside the container, ms:"
printf '%s\n' "${seccomp_rows[@]}"

# --- Podman: `podman run --rm IMAGE /bin/true` with each runtime (issue 17, goal 3) ----------------------------------
# The image is imported from the bench's busybox rootfs (no pull), once per rootfs content. Podman's own time and
# conmon's are most of a `podman run`; a wrapper that timestamps each runtime call around the real binary says how
# much of it is the runtime's and which calls Podman makes (those runs are not the timed ones).
podman_runs=${BENCH_PODMAN_RUNS:-20}
podman_note="" podman_rows=() podman_calls=""
pw="$work/podman"
if (( podman_runs == 0 )); then
    podman_note="skipped: BENCH_PODMAN_RUNS=0"
elif ! command -v podman > /dev/null || ! command -v conmon > /dev/null; then
    podman_note="skipped: podman or conmon is not installed (scripts/deps.sh, conformance/setup.sh)"
elif ! has crun; then
    podman_note="skipped: crun is not among BENCH_RUNTIMES"
else
    mkdir -p "$pw"
    image=localhost/taurun-bench-busybox
    stamp=$(tar -C "$rootfs_real" -c . 2>/dev/null | sha256sum | cut -c1-16)
    if [[ $(podman image inspect --format '{{index .Labels "taurun.bench.rootfs"}}' "$image" 2>/dev/null || true) != "$stamp" ]]; then
        tar -C "$rootfs_real" -c . | podman import --change "LABEL taurun.bench.rootfs=$stamp" - "$image" > /dev/null
    fi
    if ! podman_check=$(podman --runtime "$tr_bin" run --rm "$image" /bin/true 2>&1); then
        podman_note="skipped: podman run --rm with taurun failed: $(head -c 200 <<< "$podman_check" | tr '\n' ' ')"
    else
        hyperfine -N --warmup 2 --runs "$podman_runs" --export-json "$pw/results.json" \
            -n "podman taurun" "podman --runtime $tr_bin run --rm $image /bin/true" \
            -n "podman crun" "podman --runtime ${bin[crun]} run --rm $image /bin/true"
        for n in "podman taurun" "podman crun"; do
            podman_rows+=("| \`$n\` | $(jq -r --arg n "$n" '.results[] | select(.command == $n)
                | "\(.mean * 1000 | . * 10 | round / 10) | \(.median * 1000 | . * 10 | round / 10) | \(.min * 1000 | . * 10 | round / 10)"' \
                "$pw/results.json") |")
        done
        # The runtime's share: a wrapper records each call's verb and duration (EPOCHREALTIME around the exec'd binary).
        cat > "$pw/wrapper" <<WRAP
#!/usr/bin/env bash
t0=\$EPOCHREALTIME
"$tr_bin" "\$@"
rc=\$?
t1=\$EPOCHREALTIME
verb=""
for a in "\$@"; do case \$a in create|start|state|kill|delete|run|exec|ps|features|update|pause|resume) verb=\$a; break ;; esac; done
echo "\$verb \$(( (\${t1/./} - \${t0/./}) ))" >> "$pw/calls"
exit \$rc
WRAP
        chmod +x "$pw/wrapper"
        : > "$pw/calls"
        for ((i = 0; i < 5; i++)); do podman --runtime "$pw/wrapper" run --rm "$image" /bin/true > /dev/null; done
        podman_calls=$(awk '{ n[$1]++; us[$1] += $2; total += $2 } END {
            for (v in n) printf "%s %d× %.1f ms; ", v, n[v] / 5, us[v] / n[v] / 1000
            printf "total %.1f ms of runtime per podman run", total / 5 / 1000 }' "$pw/calls")
    fi
fi

# --- peak RSS of one `run` (issue 17, goal 4) ---------------------------------------------------------------------
# GNU time's %M: the largest resident set of the runtime process (or of a child it reaped), in KB. Alternating runs.
rss_runs=${BENCH_RSS_RUNS:-10}
declare -A rss=()
for ((i = 1; i <= rss_runs; i++)); do
    for name in "${names[@]}"; do
        r="${bin[$name]} --root $work/state-$name"
        /usr/bin/time -f %M -o "$work/rss-$name-$i" $r run --bundle "$bundle" "rss-$name-$i" > /dev/null
        cat "$work/rss-$name-$i" >> "$work/rss-$name"
    done
done
for name in "${names[@]}"; do
    rss[$name]=$(sort -n "$work/rss-$name" | awk '{ v[NR] = $1 } END { printf "%.0f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
done

# --- scale: many containers in a row and at once (issue 17, goal 4) -----------------------------------------------
# taurun only. N `run`s of true one after another: the median time of the last quarter against the first (growth
# shows as a ratio above 1; a loaded machine moves it by 10-20 %), and afterwards no mount, cgroup directory, state
# entry or process of these containers. Then M `run --detach` of a sleeping container at once, all running, then M
# `delete --force` at once, and the same leftover check.
scale_seq=${BENCH_SCALE_SEQUENTIAL:-200}
scale_par=${BENCH_SCALE_CONCURRENT:-20}
sc="$work/scale"
mkdir -p "$sc/state"
jq '.process.args = ["/bin/sleep", "1000"]' "$bundle/config.json" > "$sc/sleep-config.json"
mkdir -p "$sc/sleep-bundle"
mv "$sc/sleep-config.json" "$sc/sleep-bundle/config.json"
tr_sc="$tr_bin --root $sc/state"
scale_leftovers() {   # prefix -> one line per leftover
    local prefix=$1
    awk -v a="$sc" -v b="$bundle" 'index($5, a) == 1 || index($4, a) == 1 || index($5, b) == 1 { print "mount " $5 }' \
        /proc/self/mountinfo
    find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -type d -name "*$prefix*" 2> /dev/null | sed 's/^/cgroup /'
    find "$sc/state" -mindepth 1 -maxdepth 1 2> /dev/null | sed 's/^/state /'
    pgrep -af -- "$prefix" | grep -v pgrep | sed 's/^/process /' || true
}
: > "$sc/seq.us"
seq_failures=0
for ((i = 1; i <= scale_seq; i++)); do
    t0=$EPOCHREALTIME
    $tr_sc run --bundle "$bundle" "scale-seq-$$-$i" > /dev/null 2>> "$sc/seq.err" || seq_failures=$((seq_failures + 1))
    t1=$EPOCHREALTIME
    echo $(( ${t1/./} - ${t0/./} )) >> "$sc/seq.us"
done
quarter=$(( scale_seq / 4 > 0 ? scale_seq / 4 : 1 ))
quarter_median() {   # head|tail -> median ms of that quarter
    "$1" -n "$quarter" "$sc/seq.us" | sort -n | awk '{ v[NR] = $1 } END {
        printf "%.2f", ((NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) / 1000 }'
}
seq_first=$(quarter_median head)
seq_last=$(quarter_median tail)
seq_growth=$(ratio "$seq_last" "$seq_first")
seq_left=$(scale_leftovers "scale-seq-$$-" | sort -u)
par_failures=0
par_t0=$EPOCHREALTIME
pids=()
for ((i = 1; i <= scale_par; i++)); do
    $tr_sc run --detach --bundle "$sc/sleep-bundle" "scale-par-$$-$i" < /dev/null > /dev/null 2>> "$sc/par.err" &
    pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || par_failures=$((par_failures + 1)); done
par_running=$($tr_sc list --format json | jq '[.[] | select(.status == "running")] | length')
pids=()
for ((i = 1; i <= scale_par; i++)); do
    $tr_sc delete --force "scale-par-$$-$i" 2>> "$sc/par.err" &
    pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || par_failures=$((par_failures + 1)); done
par_t1=$EPOCHREALTIME
par_ms=$(( (${par_t1/./} - ${par_t0/./}) / 1000 ))
par_left=$(scale_leftovers "scale-par-$$-" | sort -u)
scale_ok=no
if (( seq_failures == 0 && par_failures == 0 && par_running == scale_par )) && [[ -z $seq_left && -z $par_left ]] \
    && awk -v g="$seq_growth" 'BEGIN { exit !(g <= 1.25) }'; then
    scale_ok=yes
fi

# --- the goals of issue 17 ------------------------------------------------------------------------------------------
holds() {   # value limit -> "yes" when value <= limit
    awk -v v="$1" -v l="$2" 'BEGIN { print (v != "" && v <= l) ? "yes" : "no" }'
}
goals=()
median_ratio() { ratio "$(stat_ms "$1" median)" "$(stat_ms "$2" median)"; }
if has crun; then
    g=$(median_ratio "taurun run" "crun run")
    goals+=("| 1 | \`run\` of /bin/true, taurun/crun median | $g | ≤ 0.80 | $(holds "$g" 0.80) |")
fi
if has runc; then
    g=$(median_ratio "taurun run" "runc run")
    goals+=("| 1 | \`run\` of /bin/true, taurun/runc median | $g | ≤ 0.35 | $(holds "$g" 0.35) |")
fi
if has crun; then
    g=$(median_ratio "taurun create+start+delete" "crun create+start+delete")
    goals+=("| 2 | create+start+delete, taurun/crun median | $g | ≤ 0.80 | $(holds "$g" 0.80) |")
fi
if [[ -z $podman_note ]]; then
    pt=$(jq -r '.results[] | select(.command == "podman taurun") | .median' "$pw/results.json")
    pc=$(jq -r '.results[] | select(.command == "podman crun") | .median' "$pw/results.json")
    g=$(ratio "$pt" "$pc")
    goals+=("| 3 | \`podman run --rm\` of true, taurun/crun median | $g | ≤ 0.85 | $(holds "$g" 0.85) |")
else
    goals+=("| 3 | \`podman run --rm\` of true, taurun/crun median | - | ≤ 0.85 | $podman_note |")
fi
if has crun; then
    g=$(ratio "${rss[taurun]}" "${rss[crun]}")
    goals+=("| 4 | peak RSS of one \`run\`, taurun/crun (${rss[taurun]} / ${rss[crun]} KB, median of $rss_runs) | $g | ≤ 2.00 | $(holds "$g" 2.00) |")
fi
goals+=("| 4 | scale: $scale_seq \`run\`s in a row (last/first quarter median $seq_last / $seq_first ms), $scale_par at once ($par_running running, $par_ms ms); failures $seq_failures + $par_failures; leftovers $(
    [[ -z $seq_left$par_left ]] && echo none || echo "$(printf '%s\n' "$seq_left" "$par_left" | grep -c .)") | $seq_growth | ≤ 1.25, nothing left | $scale_ok |")
g=$(convert_stat "convert hello (repeat)" median)
goals+=("| 5 | \`convert\` of bundles/hello, repeat, median ms | $g | ≤ 3.00 | $(holds "$g" 3.00) |")
echo
echo "Goals of issue 17:"
printf '%s\n' "${goals[@]}"
[[ -n $podman_calls ]] && echo "Podman's runtime calls: $podman_calls"
[[ -n $seq_left$par_left ]] && printf 'scale leftovers:\n%s\n%s\n' "$seq_left" "$par_left"

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
debian=$(cat /etc/debian_version 2>/dev/null || echo unknown)
version_of() {
    case $1 in
        taurun) "${bin[$1]}" --version 2>/dev/null | head -n1 || echo "taurun (no --version)" ;;
        *) "${bin[$1]}" --version | head -n1 ;;
    esac
}

{
    echo "# Benchmarks"
    echo
    echo "Generated by \`make bench\` (scripts/bench.sh) on $(date -u '+%Y-%m-%d %H:%M UTC'). Re-run it to refresh;"
    echo "numbers from another machine are not comparable."
    echo
    echo "- Machine: $cpu, $(nproc) cores, Linux $(uname -r), Debian $debian, cgroup $(
        [[ -f /sys/fs/cgroup/cgroup.controllers ]] && echo v2 || echo "v1 (hybrid)"); load average when the run"
    echo "  started: $load (1, 5, 15 min; anything well above 0 means other work shared the CPUs: compare medians)"
    for name in "${names[@]}"; do
        echo "- $name: $(version_of "$name") (\`${bin[$name]}\`)"
    done
    echo "- Bundle: \`/bin/true\` (busybox-static) on a read-only busybox rootfs; config from \`$spec_from spec\` with"
    echo "  terminal off and ociVersion 1.0.2 (crun 1.8 refuses 1.2.0). Each runtime has its own \`--root\`;"
    echo "  hyperfine: 3 warm-up runs, $runs timed runs per command."
    echo "- \`run\`: \`RUNTIME run --bundle B ID\`. \`create+start+delete\`: \`create\`, \`start\`, \`delete --force\` in"
    echo "  sequence (one shell command)."
    echo
    echo "## Goals of issue 17"
    echo
    echo "Medians; ratios below 1: taurun is faster or smaller. Goal 3 and the RSS are described under their"
    echo "own headings below; the scale row: growth is the median time of the last quarter of the sequential runs"
    echo "over the first quarter's."
    echo
    echo "| goal | measure | measured | target | holds |"
    echo "|:---|:---|---:|:---|:---|"
    printf '%s\n' "${goals[@]}"
    echo
    echo "## Results"
    echo
    cat "$work/results.md"
    echo
    echo "## Ratios (wall time; below 1 the first runtime is faster)"
    echo
    echo "| benchmark | ratio | mean | median |"
    echo "|:---|:---|---:|---:|"
    printf '%s\n' "${ratios[@]}"
    echo
    echo "## taurun convert"
    echo
    echo "Target: <= 5 ms (issue 4). \`hyperfine -N\` (no shell), 10 warm-up runs, $convert_runs timed runs per command,"
    echo "one state directory for all runs. *repeat*: the same bundle converted again (files rewritten only where their"
    echo "bytes change). *new bundle*: the bundle directory removed before each run (config.json and tau/ written anew;"
    echo "the rootfs skeleton is shared in the state dir). *first*: the state directory removed"
    echo "too (id range allocated, ids.json written durably, home and skeleton created). *media* is bundles/media/manifest.tau with"
    echo "\`--yes --data DIR\` (network, camera, microphone, filesystem:ro). \`taurun --version\` is the floor: process"
    echo "start and argument parsing, no conversion; the last column is a command's median minus that floor, the part"
    echo "conversion adds, which shifts less than the absolute figures when other work shares the CPUs."
    echo
    echo "| command | mean [ms] | median [ms] | min [ms] | σ [ms] | median − floor [ms] |"
    echo "|:---|---:|---:|---:|---:|---:|"
    printf '%s\n' "${convert_rows[@]}"
    echo
    echo "## Seccomp overhead"
    echo
    echo "\`busybox dd if=/dev/zero of=/dev/null bs=1 count=$count\` (one read and one write per byte: about $((2 * count))"
    echo "filtered syscalls) inside the container, timed inside it with \`busybox ts\` (gettimeofday through the vDSO, not a"
    echo "filtered syscall), so container start-up and filter loading are not in the figure. $loops loops per container, $containers"
    echo "containers per runtime and profile, alternating. Profiles: *none* = no linux.seccomp; *default* = taurun's default"
    if [[ -n $default_from ]]; then
        echo "profile, from $default_from; *tau-app* = the linux.seccomp block of \`taurun convert bundles/hello/tau.toml\`"
    else
        echo "profile (not measured: \`taurun spec\` emits no linux.seccomp and BENCH_DEFAULT_SECCOMP was not set); *tau-app* ="
        echo "the linux.seccomp block of \`taurun convert bundles/hello/tau.toml\`"
    fi
    echo "(default action KILL_PROCESS, socket family rule; without the Tau annotations, so taurun starts no monitor)."
    echo "Ratios are profile/none for the same runtime; the last column is the extra cost per filtered syscall."
    echo
    echo "| runtime | profile | loops | mean [ms] | median [ms] | mean ratio | median ratio | ns/syscall |"
    echo "|:---|:---|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${seccomp_rows[@]}"
    echo
    echo "## Podman"
    echo
    if [[ -n $podman_note ]]; then
        echo "Not measured: ${podman_note#skipped: }."
    else
        echo "\`podman --runtime RUNTIME run --rm IMAGE /bin/true\` (hyperfine -N, 2 warm-up, $podman_runs timed runs), IMAGE"
        echo "imported from the bench's busybox rootfs (no pull)."
        echo
        echo "| command | mean [ms] | median [ms] | min [ms] |"
        echo "|:---|---:|---:|---:|"
        printf '%s\n' "${podman_rows[@]}"
        echo
        echo "taurun's calls per \`podman run\`, timed by a wrapper around the binary (5 runs): $podman_calls."
    fi
    echo
    echo "## Peak RSS"
    echo
    echo "GNU time's maximum resident set of \`RUNTIME run\` of the bundle, median of $rss_runs alternating runs:"
    for name in "${names[@]}"; do echo "$name ${rss[$name]} KB;"; done | paste -sd' ' -
    echo
    echo "## Where the time goes"
    echo
    echo "The latest profile of \`taurun run\` (perf, by hand: it needs a quiet machine) is in [profile.md](profile.md)."
} > "$out"
echo "wrote $out"
