#!/usr/bin/env bash
# `make fuzz`: libFuzzer (-sanitize=fuzzer,address) for a bounded time on
#   config   the config.json / process.json / state.json decoders (Fuzz/FuzzConfig.swift + TaurunOCI, TaurunSupport)
#   manifest the Tau manifest readers, all three formats (Fuzz/FuzzManifest.swift + TauSandbox and what it imports)
# Each replays Fuzz/regressions/<target>/ first; a new crash input is copied there and the script exits 1.
#
#   scripts/fuzz.sh [SECONDS]        (SECONDS per target)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
if ! command -v swiftc > /dev/null && [[ -x /opt/swift/usr/bin/swiftc ]]; then export PATH="/opt/swift/usr/bin:$PATH"; fi

out=build/fuzz
mods=$out/modules
mkdir -p "$out/corpus-config" "$out/corpus-manifest" "$mods"
flags=(-O -sanitize=fuzzer,address -parse-as-library)
# Each module is built as the package builds it (a static library and its .swiftmodule in $mods), so the sources'
# `import` lines resolve; the targets link the libraries they use.
module() { # NAME SOURCE-DIR
    local name=$1 sources
    mapfile -t sources < <(find "$2" -name '*.swift' | sort)
    swiftc "${flags[@]}" -emit-module -emit-library -static -module-name "$name" -I "$mods" "${sources[@]}" \
        -emit-module-path "$mods/$name.swiftmodule" -o "$mods/lib$name.a"
}

echo "== building $out/fuzz-config and $out/fuzz-manifest"
module TaurunSupport Sources/TaurunSupport
module TaurunOCI Sources/TaurunOCI
module TaurunAudit Sources/TaurunAudit
clang++ -std=c++17 -O1 -fsanitize=fuzzer-no-link,address -ISources/CTomlJSON/include \
    -c Sources/CTomlJSON/ctomljson.cpp -o "$mods/ctomljson.o"
printf 'module CTomlJSON {\n    header "%s"\n    export *\n}\n' "$PWD/Sources/CTomlJSON/include/ctomljson.h" > "$mods/module.modulemap"
module TauSandbox Sources/TauSandbox
swiftc "${flags[@]}" -module-name FuzzConfig -I "$mods" Fuzz/FuzzConfig.swift "$mods/libTaurunOCI.a" \
    "$mods/libTaurunSupport.a" -o "$out/fuzz-config"
swiftc "${flags[@]}" -module-name FuzzManifest -I "$mods" Fuzz/FuzzManifest.swift "$mods/libTauSandbox.a" \
    "$mods/libTaurunAudit.a" "$mods/libTaurunOCI.a" "$mods/libTaurunSupport.a" "$mods/ctomljson.o" -lstdc++ \
    -o "$out/fuzz-manifest"

# Seeds: the integration suite's base config, every config.json in the repository, the example manifests.
cp Tests/Integration/config.base.json "$out/corpus-config/base.json"
find bundles Tests -name 'config.json' -size -64k 2>/dev/null | while read -r f; do cp "$f" "$out/corpus-config/$(echo "$f" | tr / _)"; done
cp bundles/*/tau.toml bundles/*/tau-app.json bundles/*/manifest.tau "$out/corpus-manifest/" 2>/dev/null || true

# Swift's backtracer would hang on the crashed process; libFuzzer reports the crash itself.
export SWIFT_BACKTRACE=enable=no
status=0
for target in config manifest; do
    keep=Fuzz/regressions/$target
    mkdir -p "$keep"
    inputs=()
    for f in "$keep"/*; do [[ -f $f && $f != *.md ]] && inputs+=("$f"); done
    if ((${#inputs[@]} > 0)); then
        echo "== $target: replaying ${#inputs[@]} regression inputs"
        "$out/fuzz-$target" "${inputs[@]}" || status=1
    fi
    echo "== $target: fuzzing for ${seconds}s"
    rm -f "$out"/crash-* "$out"/timeout-* "$out"/leak-* "$out"/oom-*
    "$out/fuzz-$target" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -artifact_prefix="$out/" \
        "$out/corpus-$target" 2>&1 | tail -n 2 || status=1
    for f in "$out"/crash-* "$out"/timeout-* "$out"/leak-* "$out"/oom-*; do
        [[ -f $f ]] || continue
        cp "$f" "$keep/"
        echo "fuzz: $target: $(basename "$f") kept in $keep/" >&2
        status=1
    done
done
if ((status == 0)); then echo "fuzz: no crash in ${seconds}s per target"; fi
exit "$status"
