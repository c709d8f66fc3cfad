#!/usr/bin/env bash
# Writes scripts/hot-sections.txt: the functions taurun runs for the verbs a container engine calls for every
# container (create, start, state, kill, delete, run, and their errors), one `.text.<symbol>` line each, as
# valgrind's callgrind saw them. `make build` hands the file to gold (--section-ordering-file), which lays those
# functions out next to each other; with -function-sections they are single sections in our modules, the Swift
# stdlib and runtime, so a `run` faults in a few hundred KB of hot code instead of pieces all over the 40 MB
# binary (the kernel maps 64 KB around each fault). docs/profile.md has what it measured. A name that is gone from
# the binary is ignored by the linker, so a stale list costs pages, never correctness; regenerate it after large
# changes of the hot path.
#
#   scripts/hot-sections.sh TAURUN ROOTFS      (as root; needs valgrind and jq)
#
# Under valgrind `run` and `create` stop at open_tree (valgrind does not know the syscall), so the code after the
# rootfs handover (and the container's init) is not in the list; `start`, `state`, `kill` and `delete` run whole.
set -euo pipefail

taurun=$(realpath "${1:?usage: hot-sections.sh TAURUN ROOTFS}")
rootfs=$(realpath "${2:?usage: hot-sections.sh TAURUN ROOTFS}")
repo=$(cd "$(dirname "$0")/.." && pwd)
out="$repo/scripts/hot-sections.txt"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# valgrind cannot read the binary's DWARF; the symbol table is all it needs.
strip --strip-debug -o "$work/taurun" "$taurun"
mkdir -p "$work/bundle" "$work/state"
(cd "$work/bundle" && "$taurun" spec)
jq --arg root "$rootfs" '.process.terminal = false | .process.args = ["/bin/true"] | .root = {path: $root, readonly: true}' \
    "$work/bundle/config.json" > "$work/config.json"
mv "$work/config.json" "$work/bundle/config.json"

n=0
profile() {   # taurun arguments after --root
    n=$((n + 1))
    valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/cg.$n" \
        "$work/taurun" --root "$work/state" "$@" > /dev/null 2>&1 || true
}
"$taurun" --root "$work/state" create --bundle "$work/bundle" c1
profile state c1
profile start c1
profile kill c1 KILL
profile delete --force c1
profile run --bundle "$work/bundle" r1
profile create --bundle "$work/bundle" c2
profile delete --force c2
profile delete --force r1
profile state missing
profile --log "$work/log" --log-format json start missing

grep -hoE '^c?fn=\([0-9]+\) .+' "$work"/cg.* | sed -E 's/^c?fn=\([0-9]+\) //' | grep -v '^0x' | sort -u \
    | sed 's/^/.text./' > "$out"
echo "wrote $out ($(wc -l < "$out") functions)"
