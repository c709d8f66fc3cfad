#!/usr/bin/env bash
# Every conformance suite against one runtime binary (what `make conformance` runs):
#
#   conformance/run.sh                              # RUNTIME defaults to /usr/local/bin/taurun
#   RUNTIME=/usr/sbin/runc conformance/run.sh       # the reference
#   conformance/run.sh exec podman                  # only some suites: exec podman containerd docker runtime-tools
#
# Prepares the host first (conformance/setup.sh: packages, containers.conf, local image). Ends with one line per
# suite and exits non-zero if any check failed.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export RUNTIME=${RUNTIME:-/usr/local/bin/taurun}
suites=("$@")
((${#suites[@]} > 0)) || suites=(exec podman containerd docker runtime-tools)

"$here/setup.sh" || exit 2

summary=()
status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for suite in "${suites[@]}"; do
    echo "== $suite ($RUNTIME)"
    if [[ $suite == runtime-tools ]]; then
        "$here/runtime-tools.sh" | tee "$log"
        ((PIPESTATUS[0] == 0)) || status=1
        summary+=("runtime-tools: $(tail -n 1 "$log")")
    else
        bats "$here/$suite.bats" | tee "$log"
        ((PIPESTATUS[0] == 0)) || status=1
        summary+=("$suite: $(grep '^ok' "$log" | grep -vc ' # skip') passed, $(grep -c '^not ok' "$log") failed, $(grep -c '^ok .* # skip' "$log") skipped")
    fi
done
echo
printf '%s\n' "${summary[@]}"
exit "$status"
