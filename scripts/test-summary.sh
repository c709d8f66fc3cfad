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
        # Swift Testing closes with "Test run with N tests in M suites passed after ..." (or "failed after ... with
        # K issues"); the per-test lines ("Test f() failed after ...", "Test g() skipped") give the failures and skips.
        # Passing tests are counted from N, not from their own lines: with tests that fork, some of those lines can
        # be missing from the log. XCTest closes with "Executed N tests, with F failures".
        read -r p fl s < <(awk '
            / Test run with [0-9]+ tests? / {
                for (i = 1; i <= NF; i++) if ($i == "with") { total = $(i + 1); break }
                if ($0 ~ / failed after /) run_failed = 1
                next
            }
            /^[^ ]+ Test .* failed after [0-9.]+ seconds/ { fl++; next }
            /^[^ ]+ Test .* skipped/ { s++; next }
            /Executed [0-9]+ tests?, with [0-9]+ failures?/ {
                for (i = 1; i <= NF; i++) if ($i == "Executed") { xt = $(i + 1); xf = $(i + 4) }
                next
            }
            END {
                if (run_failed && fl == 0) fl = 1
                p = total - fl - s
                if (p < 0) p = 0
                print p + (xt - xf), fl + xf, s + 0
            }' "$f")
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
