#!/usr/bin/env bash
# The project's test run: unit tests of every module (`swift test`) and/or the integration suite (bats) against a
# runtime binary. Both logs land in build/test-logs/; the last line printed is the summary from test-summary.sh
# ("N passed, N failed[, N skipped]"), and the exit status is non-zero if anything failed or could not run.
#
#   scripts/test.sh --unit --integration .build/release/taurun
#   scripts/test.sh --integration runc
set -uo pipefail

cd "$(dirname "$0")/.."
logs=build/test-logs
mkdir -p "$logs"

unit=0 runtime=""
while (( $# > 0 )); do
    case $1 in
        --unit) unit=1; shift ;;
        --integration) runtime=${2:?--integration needs a runtime binary}; shift 2 ;;
        *) echo "usage: test.sh [--unit] [--integration RUNTIME]" >&2; exit 2 ;;
    esac
done

if ! command -v swift > /dev/null && [[ -x /opt/swift/usr/bin/swift ]]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi

# The Makefile passes its SwiftPM build directory (SCRATCH=...) on; the default is SwiftPM's own .build.
scratch=(--scratch-path "${SWIFT_SCRATCH:-$PWD/.build}")

extra=0
logfiles=()

if (( unit )); then
    # The module arrows of DESIGN.md: a wrong import fails the run like a failed test.
    if ! scripts/check-arrows.sh; then
        extra=$((extra + 1))
    fi
    # The swift-format rules the code passes (.swift-format): a finding fails the run like a failed test.
    if ! scripts/check-format.sh; then
        extra=$((extra + 1))
    fi
    # TaurunLinux is the only door to the kernel: read from the release objects `make test` builds first.
    if [[ -d ${SWIFT_SCRATCH:-$PWD/.build}/release ]]; then
        if ! scripts/check-kernel-door.sh "${SWIFT_SCRATCH:-$PWD/.build}/release"; then
            extra=$((extra + 1))
        fi
    else
        echo "kernel door: not checked: no release build (make build; make test builds it first)"
    fi
    rm -f "$logs/unit.log"
    echo "== unit tests (swift test)"
    # Swift Testing writes its results to stdout; keep the whole log for the summary and for reading failures.
    swift build "${scratch[@]}" --build-tests 2>&1 | tee "$logs/unit-build.log"
    if (( PIPESTATUS[0] != 0 )); then
        echo "unit tests: build failed (see $logs/unit-build.log)" >&2
        extra=$((extra + 1))
    else
        swift test "${scratch[@]}" --skip-build 2>&1 | tee "$logs/unit.log"
        rc=${PIPESTATUS[0]}
        logfiles+=("$logs/unit.log")
        if (( rc != 0 )) && ! grep -qE '^[^ ]+ Test .* failed after|^Test Case .* failed \(' "$logs/unit.log"; then
            echo "unit tests: swift test exited $rc without a failed test (crash?)" >&2
            extra=$((extra + 1))
        fi
    fi
fi

if [[ -n $runtime ]]; then
    if [[ $runtime != */* ]]; then
        runtime=$(command -v "$runtime") || { echo "runtime $runtime not on PATH" >&2; exit 2; }
    fi
    runtime=$(realpath "$runtime")
    echo "== integration tests (bats) against $runtime"
    rm -f "$logs/integration.tap"
    # TAURUN: the taurun binary tests use for taurun-only steps (sandbox.bats converts manifests with it).
    export TAURUN=${TAURUN:-${SWIFT_SCRATCH:-$PWD/.build}/release/taurun}
    RUNTIME=$runtime bats ${BATS_FLAGS:-} Tests/Integration Tests/Reliability 2>&1 | tee "$logs/integration.tap"
    rc=${PIPESTATUS[0]}
    logfiles+=("$logs/integration.tap")
    if (( rc != 0 )) && ! grep -q '^not ok ' "$logs/integration.tap"; then
        echo "integration tests: bats exited $rc without a failed test" >&2
        extra=$((extra + 1))
    fi
fi

# A host without the optional cgroup controllers (blkio, hugetlb), proven rather than assumed: the cgroup tests
# again, in a mount namespace where those hierarchies are gone. They must skip what needs them and pass the rest.
if [[ -n $runtime ]]; then
    echo "== cgroup tests on a host without blkio and hugetlb (scripts/without-optional-cgroups.sh)"
    RUNTIME=$runtime scripts/without-optional-cgroups.sh bats Tests/Integration/cgroups.bats 2>&1 \
        | sed -E 's/^((not )?ok [0-9]+ )/\1[no blkio, hugetlb] /' | tee "$logs/hidden-cgroups.tap"
    logfiles+=("$logs/hidden-cgroups.tap")
fi
if (( unit )) && [[ -f $logs/unit.log ]]; then
    echo "== cgroup host unit tests without blkio and hugetlb"
    scripts/without-optional-cgroups.sh swift test "${scratch[@]}" --skip-build --filter HostTests 2>&1 \
        | tee "$logs/hidden-unit.log"
    logfiles+=("$logs/hidden-unit.log")
fi

scripts/test-summary.sh --extra-failures "$extra" "${logfiles[@]}"
