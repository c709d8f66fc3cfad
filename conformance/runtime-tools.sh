#!/usr/bin/env bash
# The OCI runtime-tools validation suite against one runtime binary.
#
#   RUNTIME=/usr/local/bin/taurun conformance/runtime-tools.sh            # every test
#   RUNTIME=/usr/sbin/runc conformance/runtime-tools.sh default linux_sysctl
#
# Builds opencontainers/runtime-tools (260e151b, Go dependencies vendored, from ../shared/vendor; see
# ../shared/README.md) with Debian's Go once into build/runtime-tools, then runs every validation/<name>/<name>.t
# from the suite's root with a timeout, one line per test (PASS, FAIL or TIMEOUT, with the failing TAP lines), the
# logs in build/runtime-tools/logs/<runtime>/, and last the line "N passed, N failed".
# Exit status: 0 when nothing failed.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
tarball=${RUNTIME_TOOLS_TARBALL:-$repo/../shared/vendor/runtime-tools-260e151b.tar.gz}
build=${RUNTIME_TOOLS_BUILD:-$repo/build/runtime-tools}
runtime=${RUNTIME:-/usr/local/bin/taurun}
per_test_timeout=${TEST_TIMEOUT:-120}

if [[ $runtime != /* ]]; then runtime=$(command -v "$runtime" || true); fi
if [[ ! -x $runtime ]]; then
    echo "runtime-tools.sh: RUNTIME ${RUNTIME:-} is not an executable" >&2
    exit 2
fi
if [[ $(id -u) != 0 ]]; then
    echo "runtime-tools.sh: the validation tests create containers: run as root" >&2
    exit 2
fi
if ! command -v go >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends golang-go >/dev/null
fi

# Build once per tarball: the stamp records its checksum.
src=$build/runtime-tools
stamp=$build/.built-from
sum=$(sha256sum "$tarball" | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$sum" || ! -x $src/validation/default/default.t ]]; then
    echo "building runtime-tools from $(basename "$tarball") ..."
    rm -rf "$src"
    mkdir -p "$build"
    tar -xzf "$tarball" -C "$build"
    if ! (cd "$src" && GOFLAGS=-mod=vendor GOPROXY=off make runtimetest validation-executables) > "$build/build.log" 2>&1; then
        tail -20 "$build/build.log" >&2
        echo "runtime-tools.sh: build failed (log: $build/build.log)" >&2
        exit 2
    fi
    echo "$sum" > "$stamp"
fi

name=$(basename "$runtime")
logs=$build/logs/$name
rm -rf "$logs"
mkdir -p "$logs"

# Tests whose bundles used rootfsPropagation "shared" leave mounts under /tmp/ocitest*: unmount, then remove.
clean_bundles() {
    local m
    while read -r m; do umount -l "$m" 2>/dev/null; done < <(findmnt -rn -o TARGET | grep '^/tmp/ocitest' | sort -r)
    rm -rf /tmp/ocitest* 2>/dev/null
}

# Containers a test leaves in the runtime's default root are force-deleted (only those it created).
containers() { "$runtime" list -q 2>/dev/null | sort; }

cd "$src" || exit 2
if (($# > 0)); then
    tests=()
    for t in "$@"; do tests+=("validation/$t/$t.t"); done
else
    mapfile -t tests < <(ls validation/*/*.t | sort)
fi

passed=0 failed=0
failed_names=()
for t in "${tests[@]}"; do
    test_name=$(basename "$t" .t)
    log=$logs/$test_name.log
    before=$(containers)
    start=$(date +%s.%N)
    RUNTIME=$runtime timeout -k 5 "$per_test_timeout" "$t" > "$log" 2>&1 < /dev/null
    rc=$?
    secs=$(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)")
    # A test passes when it exits 0 and no TAP line says "not ok".
    if ((rc == 124 || rc == 137)); then
        result=TIMEOUT
    elif ((rc == 0)) && ! grep -q '^not ok' "$log"; then
        result=PASS
    else
        result=FAIL
    fi
    if [[ $result == PASS ]]; then
        passed=$((passed + 1))
        printf '%-8s %-40s %6ss\n' "$result" "$test_name" "$secs"
    else
        failed=$((failed + 1))
        failed_names+=("$test_name")
        printf '%-8s %-40s %6ss  (exit %s)\n' "$result" "$test_name" "$secs" "$rc"
        grep -m 5 -E '^not ok|error|Error' "$log" | cut -c1-200 | sed 's/^/           /'
    fi
    for id in $(comm -13 <(echo "$before") <(containers)); do
        "$runtime" delete --force "$id" >/dev/null 2>&1
    done
    clean_bundles
done

((failed > 0)) && echo "failed: ${failed_names[*]}"
echo "$passed passed, $failed failed"
((failed == 0))
