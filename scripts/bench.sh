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
    echo "## Where the time goes"
    echo
    echo "The latest profile of \`taurun run\` (perf, by hand: it needs a quiet machine) is in [profile.md](profile.md)."
} > "$out"
echo "wrote $out"
