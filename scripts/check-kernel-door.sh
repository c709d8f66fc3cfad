#!/usr/bin/env bash
# Fails when a Swift module other than the doors calls the C library directly (issue 18: TaurunLinux is the only
# door to the kernel). It reads what the compiled objects of each module link to (`nm -u`), so a call cannot hide
# behind a local name, a method of the same name or a line break: a C function, or a Swift overlay function of Glibc
# (open, fcntl, ioctl are variadic in C and reach Swift as Glibc.open(_:_:_:) and so on), is a call into libc.
#
# The doors: TaurunLinux (the kernel), TaurunSupport (the leaf every module may import: its file layer and clock,
# for the modules that may not import TaurunLinux) and TaurunSeccomp's libseccomp. Every other module may link only
# to the libc functions that make no system call (getenv, round, ...) and read errno/constant getters.
#
#   scripts/check-kernel-door.sh [BUILD-DIR]      (default .build/release, after `make build`)
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-.build/release}
doors="TaurunLinux TaurunSupport"
# libseccomp and the shim's seccomp calls are TaurunSeccomp's door (module-arrows.txt lets it use CLinux for the
# filter load); its other system calls go through TaurunLinux like anyone's. tr_toml_* is toml++ (a parser, no kernel).
declare -A extra=([TaurunSeccomp]="^seccomp_|^tr_seccomp_" [TauSandbox]="^tr_toml_")
# C library functions that make no system call, and the Glibc overlay's getters (errno, S_IF*, MAP_FAILED): their
# use says nothing about the kernel. Everything else a module links to from libc is a system call or a wrapper of one.
pure='^(__stack_chk_fail|getenv|malloc_usable_size|round|strerror|__tls_get_addr|memcmp|memcpy|memmove|memset|strlen|strcmp|strncmp|free|malloc)$|\.getter$'

if ! command -v nm > /dev/null || ! command -v jq > /dev/null; then echo "kernel door: needs nm (binutils) and jq"; exit 1; fi
if [[ ! -d $build ]]; then echo "kernel door: $build does not exist: build first"; exit 1; fi
demangle=(cat)
if command -v swift-demangle > /dev/null; then demangle=(swift-demangle --simplified)
elif command -v swift > /dev/null; then demangle=(swift demangle --simplified); fi

violations=0 modules=0
for dir in Sources/*/; do
    module=$(basename "$dir")
    [[ -n $(find "$dir" -name '*.swift' -print -quit) ]] || continue   # C targets
    [[ " $doors " == *" $module "* ]] && continue
    # The objects of the module's current sources, as SwiftPM's output file map names them: a *.o glob would also
    # read the object of a source file deleted since (SwiftPM leaves it in place).
    map="$build/$module.build/output-file-map.json"
    objects=()
    [[ -e $map ]] && mapfile -t objects < <(jq -r 'to_entries[] | select(.key != "") | .value.object // empty' "$map")
    if (( ${#objects[@]} == 0 )) || [[ ! -e ${objects[0]} ]]; then
        echo "kernel door: no objects of $module in $build"; violations=$((violations + 1)); continue
    fi
    modules=$((modules + 1))
    # Plain C symbols (not Swift-mangled, not the Swift runtime's), and the Glibc overlay's Swift functions.
    list=$(nm -u "${objects[@]}" 2>/dev/null | awk '{print $2}' | sort -u |
        grep -E '^\$s5Glibc|^[A-Za-z_][A-Za-z_0-9]*$' | grep -vE '^(_?swift|__swift)' | "${demangle[@]}" |
        sed -E 's/^Glibc\.//; s/\(.*$//' | sort -u | grep -vE "$pure" | grep -vE "${extra[$module]:-^$}" || true)
    for name in $list; do
        echo "kernel door: $module calls $name directly; go through TaurunLinux (or TaurunSupport's file layer)"
        violations=$((violations + 1))
    done
done
if (( violations > 0 )); then
    echo "kernel door: $violations direct libc call(s) outside TaurunLinux/TaurunSupport, in $modules modules"
    exit 1
fi
echo "kernel door: none of $modules modules calls libc directly; TaurunLinux and TaurunSupport are the doors"
