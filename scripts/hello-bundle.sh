#!/usr/bin/env bash
# Builds the demo bundle `make run` starts: the config taurun itself generates (`taurun spec`), edited to run a short
# non-interactive command, over the shared busybox rootfs (read-only, so one rootfs serves every bundle).
set -euo pipefail

taurun=${1:?usage: hello-bundle.sh TAURUN ROOTFS BUNDLE}
rootfs=${2:?usage: hello-bundle.sh TAURUN ROOTFS BUNDLE}
bundle=${3:?usage: hello-bundle.sh TAURUN ROOTFS BUNDLE}

mkdir -p "$bundle"
rm -f "$bundle/config.json"
(cd "$bundle" && "$taurun" spec)
# root.path is the shared rootfs itself (absolute; runtimes refuse a rootfs that is a symlink).
jq --arg root "$(realpath "$rootfs")" '.process.terminal = false
    | .process.args = ["sh", "-c", "echo hello from taurun; id; hostname"]
    | .root = {path: $root, readonly: true}' "$bundle/config.json" > "$bundle/config.json.new"
mv "$bundle/config.json.new" "$bundle/config.json"
