#!/usr/bin/env bash
# Fails when a Swift file under Sources/<Module>/ imports a module that scripts/module-arrows.txt does not allow for
# <Module> (issue 18: the arrows of DESIGN.md, kept). Prints one line per violation, then a summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
system="Glibc Musl FoundationEssentials Synchronization"
declare -A allowed=()
while IFS= read -r line; do
    line=${line%%#*}
    [[ $line == *:* ]] || continue
    allowed[${line%%:*}]="${line#*:} $system"
done < scripts/module-arrows.txt

violations=0 files=0
for dir in Sources/*/; do
    module=$(basename "$dir")
    [[ -n $(find "$dir" -name '*.swift' -print -quit) ]] || continue   # C targets
    if [[ -z ${allowed[$module]+set} ]]; then
        echo "arrows: module $module is not in scripts/module-arrows.txt"
        violations=$((violations + 1))
        continue
    fi
    while IFS= read -r file; do
        files=$((files + 1))
        while IFS= read -r imported; do
            [[ " ${allowed[$module]} " == *" $imported "* ]] && continue
            echo "arrows: $file imports $imported; $module may import only:${allowed[$module]%$system}"
            violations=$((violations + 1))
        done < <(sed -nE 's/^(@[A-Za-z_]+(\([^)]*\))? )*import( (struct|enum|class|func|protocol|typealias|var|let))? ([A-Za-z_][A-Za-z_0-9]*).*/\5/p' "$file" | sort -u)
    done < <(find "$dir" -name '*.swift' | sort)
done
if (( violations > 0 )); then
    echo "arrows: $violations import(s) against the module arrows, in $files files"
    exit 1
fi
echo "arrows: every import of $files files follows scripts/module-arrows.txt"
