#!/usr/bin/env bash
# Fails when `swift format lint` finds, in Sources/ or Tests/, a break of a rule .swift-format enables (issue 18: the
# swift-format rules the code already passes, kept). swift-format also reports where its pretty printer would lay the
# code out differently (indentation, line breaks, line length) and that part cannot be switched off
# (swiftlang/swift-format#764); of it only trailing whitespace and runs of blank lines are counted, which the code
# has none of. Prints one line per finding, then a summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
if ! command -v swift > /dev/null && [[ -x /opt/swift/usr/bin/swift ]]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
if ! swift format --version > /dev/null 2>&1; then
    echo "format: this toolchain has no swift format (every Swift 6 toolchain has)"
    exit 1
fi

counted=$(jq -r '.rules | to_entries[] | select(.value) | .key' .swift-format | tr '\n' '|')
counted+="TrailingWhitespace|RemoveLine"
files=$(find Sources Tests -name '*.swift' | wc -l)
# Findings of a rule, and anything swift format could not read (error: lines have no [category]).
findings=$(swift format lint --configuration .swift-format --recursive --parallel Sources Tests 2>&1 \
    | grep -E ": warning: \[($counted)\]|: error: " | sort -u)
if [[ -n $findings ]]; then
    echo "$findings" | sed 's/^/format: /'
    echo "format: $(echo "$findings" | wc -l) finding(s) against .swift-format, in $files files"
    exit 1
fi
echo "format: $files files pass the rules of .swift-format"
