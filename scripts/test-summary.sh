#!/usr/bin/env bash
# Counts test results in TAP output (bats; files ending .tap) and `swift test` output (Swift Testing and XCTest; any
# other file) and prints one line: "N passed, N failed" plus ", N skipped" when tests were skipped.
# --extra-failures N adds failures that produced no test line (a build that broke, a runner that crashed).
# Exit status: 0 when nothing failed, 1 otherwise.
set -euo pipefail

extra=0
files=()
while (( $# > 0 )); do
    case $1 in
        --extra-failures) extra=$2; shift 2 ;;
        *) files+=("$1"); shift ;;
    esac
done

passed=0 failed=0 skipped=0
for f in "${files[@]}"; do
    [[ -f $f ]] || continue
    if [[ $f == *.tap ]]; then
        # "ok 3 name", "ok 4 name # skip reason", "not ok 5 name" (a "# TODO" test that fails is expected to).
        read -r p fl s < <(awk '
            /^ok [0-9]+/     { if (tolower($0) ~ /# skip/) s++; else p++; next }
            /^not ok [0-9]+/ { if (tolower($0) ~ /# todo/) s++; else fl++; next }
            END { print p+0, fl+0, s+0 }' "$f")
    else
        # Swift Testing: "<symbol> Test name() passed after 0.1 seconds.", "... failed after ...", "... skipped";
        # the closing "Test run with N tests ..." line is not a test. XCTest: "Test Case '-[...]' passed (0.1 seconds)."
        read -r p fl s < <(awk '
            / Test run with [0-9]+ test/ { next }
            /^Test Case .* passed \(/  { p++; next }
            /^Test Case .* failed \(/  { fl++; next }
            /^Test Case .* skipped \(/ { s++; next }
            /^[^ ]+ Test .* passed after [0-9.]+ seconds/ { p++; next }
            /^[^ ]+ Test .* failed after [0-9.]+ seconds/ { fl++; next }
            /^[^ ]+ Test .* skipped/ { s++; next }
            END { print p+0, fl+0, s+0 }' "$f")
    fi
    passed=$((passed + p))
    failed=$((failed + fl))
    skipped=$((skipped + s))
done
failed=$((failed + extra))

if (( skipped > 0 )); then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
(( failed == 0 ))
