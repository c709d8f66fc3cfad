#!/usr/bin/env bash
# `make fuzz`: libFuzzer on the config.json / process.json / state.json decoders (Fuzz/FuzzConfig.swift compiled
# with the TaurunOCI sources, -sanitize=fuzzer,address), for a bounded time. Replays Fuzz/regressions/config first.
# A crash input is copied into Fuzz/regressions/config/ and the script exits 1.
#
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
if ! command -v swiftc > /dev/null && [[ -x /opt/swift/usr/bin/swiftc ]]; then export PATH="/opt/swift/usr/bin:$PATH"; fi

out=build/fuzz
mkdir -p "$out/corpus-config"
mapfile -t sources < <(find Sources/TaurunOCI -name '*.swift' | sort)
echo "== building $out/fuzz-config"
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name FuzzConfig \
    Fuzz/FuzzConfig.swift "${sources[@]}" -o "$out/fuzz-config"

# Seeds: the integration suite's base config and every config.json the repository holds.
cp Tests/Integration/config.base.json "$out/corpus-config/base.json"
find bundles Tests -name 'config.json' -size -64k 2>/dev/null | while read -r f; do cp "$f" "$out/corpus-config/$(echo "$f" | tr / _)"; done

# Swift's backtracer would hang on the crashed process; libFuzzer reports the crash itself.
export SWIFT_BACKTRACE=enable=no
regressions=(Fuzz/regressions/config/*)
inputs=()
for f in "${regressions[@]}"; do [[ -f $f && $f != *.md ]] && inputs+=("$f"); done
if ((${#inputs[@]} > 0)); then
    echo "== replaying ${#inputs[@]} regression inputs"
    "$out/fuzz-config" "${inputs[@]}"
fi

echo "== fuzzing for ${seconds}s"
rm -f "$out"/crash-* "$out"/timeout-* "$out"/leak-* "$out"/oom-*
status=0
"$out/fuzz-config" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -artifact_prefix="$out/" \
    "$out/corpus-config" 2>&1 | tail -n 3 || status=$?
found=("$out"/crash-* "$out"/timeout-* "$out"/leak-* "$out"/oom-*)
for f in "${found[@]}"; do
    [[ -f $f ]] || continue
    cp "$f" Fuzz/regressions/config/
    echo "fuzz: $(basename "$f") kept in Fuzz/regressions/config/" >&2
    status=1
done
if ((status == 0)); then echo "fuzz: no crash in ${seconds}s"; fi
exit "$status"
