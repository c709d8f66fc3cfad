#!/usr/bin/env bats
# taurun learn (issue 19, part 1): a real app (a static C probe) opens an AF_INET socket although its manifest does not
# request `network`. learn runs it in its sandbox with the security monitor recording: the call fails with EPERM as
# under the manifest, the app is not stopped, and the report names `network` with the call as evidence. --write adds
# `network` to the manifest, so the next convert asks for it; learning itself granted nothing. The same probe opens a
# device, a host file and a display socket: learn reads those paths and names camera, filesystem and display. Needs
# root and cc.
# learn is taurun's own command: RUNTIME is not used, TAURUN is the binary under test.

bats_require_minimum_version 1.5.0

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
TAURUN=${TAURUN:-$REPO_ROOT/.build/release/taurun}

setup_file() {
    [[ $(id -u) == 0 ]] || skip "learn runs apps as convert makes them: needs root"
    command -v cc > /dev/null || skip "no C compiler to build the probe"
    [[ -x $REPO_ROOT/build/rootfs/bin/busybox ]] || skip "no build/rootfs (make rootfs)"
    # Not under $BATS_FILE_TMPDIR (0700): the app's unprivileged host uid must traverse every parent directory.
    W=$(mktemp -d /tmp/tau-learn.XXXXXX)
    export W STATE="$W/state" TAURUN_AUDIT_LOG="$W/audit.jsonl" TMPDIR="$W/tmp"
    chmod 755 "$W"
    mkdir -p "$W/rootfs" "$TMPDIR"
    cp -a "$REPO_ROOT/build/rootfs/." "$W/rootfs/"
    mkdir -p "$W/rootfs/app/bin"
    cc -static -O2 -o "$W/rootfs/app/bin/learnprobe" "$BATS_TEST_DIRNAME/probes/learn_probe.c" \
        || skip "cannot build a static probe here"
    mkdir -p "$W/manifest"
    cat > "$W/manifest/tau.toml" <<EOF
# The probe app: it uses the network, but its developer forgot to ask for it.
id = "org.tauos.learnprobe"
name = "Learn probe"
version = "1.0.0"
command = ["/app/bin/learnprobe"]

[permissions]
gpu = true # declared, needs no consent
EOF
}

teardown_file() {
    [[ -n ${W:-} ]] || return 0
    for home in "$STATE"/apps/*/home; do
        mountpoint -q "$home" && umount "$home"
    done
    rm -rf "$W"
    return 0
}

# fresh NAME: a copy of the probe's manifest in its own directory, so each test starts from the unedited manifest.
fresh() {
    mkdir -p "$W/$1"
    cp "$W/manifest/tau.toml" "$W/$1/tau.toml"
    echo "$W/$1/tau.toml"
}

learn() {
    run --separate-stderr "$TAURUN" --root "$W/run" learn --state-dir "$STATE" --rootfs "$W/rootfs" "$@" < /dev/null
    echo "status $status"
    echo "stdout: $output"
    echo "stderr: $stderr"
}

@test "learn names network with the socket call as evidence; the app got EPERM and ran on" {
    local manifest
    manifest=$(fresh plain)
    learn "$manifest"
    [ "$status" -eq 0 ]
    [[ $output == *"taurun learn: org.tauos.learnprobe exited with status 0"* ]]
    [[ $output == *$'used, not requested by the manifest:\n  network: socket(AF_INET, SOCK_STREAM)\n'* ]]
    # gpu is declared and was never used: said so (learn only adds: the change keeps it).
    [[ $output == *$'requested, never used in this run: gpu\n'* ]]
    [[ $output == *$'\n+network = true'* ]]
    # The app's own output went to stderr: it saw the refusal the manifest gives, and was not stopped.
    [[ $stderr == *"socket AF_INET: Operation not permitted"* ]]
    [[ $stderr == *"learn probe: done"* ]]
    # The manifest is untouched without --write.
    cmp "$manifest" "$W/manifest/tau.toml"
    # One learn record in the audit log, and no violation: learning never stops the app.
    jq -e -s 'map(select(.event == "learn" and .app == "org.tauos.learnprobe" and .permission == "network"
        and .syscall == "socket" and .args == [2,1,0] and .action == "denied")) | length == 1' "$TAURUN_AUDIT_LOG"
    jq -e -s 'map(select(.event == "violation")) | length == 0' "$TAURUN_AUDIT_LOG"
    # Nothing of the run is left: no container, no scratch bundle.
    [ -z "$("$TAURUN" --root "$W/run" list -q)" ]
    [ -z "$(ls -A "$TMPDIR")" ]
}

@test "learn --json carries the same report, and its diff is what --write writes" {
    local manifest
    manifest=$(fresh json)
    learn --json "$manifest"
    [ "$status" -eq 0 ]
    jq -e '.app == "org.tauos.learnprobe" and .format == "tau.toml" and .interrupted == false and .written == false' <<< "$output"
    jq -e '.missing == [{"permission": "network", "evidence": ["socket(AF_INET, SOCK_STREAM)"]}]' <<< "$output"
    jq -e '.change.add_permissions == ["network"] and .change.resources == {}' <<< "$output"
    jq -e '.unused == ["gpu"] and .refused == [] and has("not_observable") == false' <<< "$output"
    # Peaks from the app's cgroup, against the default limits it ran under (the manifest sets none).
    jq -e '.resources[] | select(.resource == "memory") | .limit == 1073741824 and .peak > 0 and .reached == false' <<< "$output"
    jq -e '.resources[] | select(.resource == "pids") | .limit == 1024 and .peak >= 1 and .reached == false' <<< "$output"
    jq -r .diff <<< "$output" > "$W/json/fix.diff"
    cp "$manifest" "$W/json/patched.toml"
    patch -s "$W/json/patched.toml" < "$W/json/fix.diff"
    learn --write "$manifest"
    [ "$status" -eq 0 ]
    [[ $output == *"wrote $manifest"* ]]
    cmp "$manifest" "$W/json/patched.toml"
}

@test "--write makes the next convert ask for network, and learning granted nothing" {
    local manifest
    manifest=$(fresh write)
    learn --write "$manifest"
    [ "$status" -eq 0 ]
    # The manifest now requests network, in its own format, with the developer's comment kept.
    diff "$W/manifest/tau.toml" "$manifest" | grep -qx '> network = true'
    grep -qx 'gpu = true # declared, needs no consent' "$manifest"
    # The next convert requests it: without a decision and a terminal it refuses, naming network.
    run --separate-stderr "$TAURUN" convert --state-dir "$STATE" --rootfs "$W/rootfs" "$manifest" --bundle "$W/write/bundle" < /dev/null
    echo "$stderr"
    [ "$status" -eq 77 ]
    [[ $stderr == *"E_POLICY_DENIED: org.tauos.learnprobe requests network without a recorded decision"* ]]
    # So does learn itself, now that the manifest requests it: learning never decides for the user.
    learn "$manifest"
    [ "$status" -eq 77 ]
    [[ $stderr == *"E_POLICY_DENIED: org.tauos.learnprobe requests network without a recorded decision"* ]]
    # Nothing was granted by learning: no decision is recorded for network, no consent record was written.
    run "$TAURUN" grants --state-dir "$STATE" --json
    echo "$output"
    jq -e '.[] | select(.app == "org.tauos.learnprobe") | .granted == [] and .denied == []' <<< "$output"
    jq -e -s 'map(select(.event == "consent")) | length == 0' "$TAURUN_AUDIT_LOG"
    # Granted by the user, the app gets it; learn then sees the same call as a use of a granted permission, lets
    # it through (the socket opens) and needs no change.
    "$TAURUN" convert --state-dir "$STATE" --rootfs "$W/rootfs" "$manifest" --bundle "$W/write/bundle" --grant network
    jq -e '.annotations["org.tauos.app.permissions"] | split(",") | index("network")' "$W/write/bundle/config.json"
    learn "$manifest"
    [ "$status" -eq 0 ]
    [[ $output == *$'used, requested and granted:\n  network: socket(AF_INET, SOCK_STREAM)\n'* ]]
    [[ $output == *"no manifest change needed"* ]]
    [[ $stderr == *"socket AF_INET: ok"* ]]
}

@test "learn reads the paths the app opens: a device, a host file read and written, a display socket" {
    local manifest data
    manifest=$(fresh paths)
    # Outside /tmp: the sandbox has a /tmp of its own, so a host path there says nothing.
    data=$(mktemp -d /var/tmp/tau-learn-data.XXXXXX)
    echo song > "$data/song.ogg"
    learn --json "$manifest" -- /app/bin/learnprobe open /dev/video7 open "$data/song.ogg" open "$data/out.txt" rw \
        connect /run/user/1000/wayland-0 open /etc/passwd open /home/app/own rw
    rm -rf "$data"
    [ "$status" -eq 0 ]
    # Each absent inside the sandbox (ENOENT), none refused: the app saw what its manifest gives it and ran on.
    [[ $stderr == *"open /dev/video7: No such file or directory"* ]]
    [[ $stderr == *"open $data/song.ogg: No such file or directory"* ]]
    [[ $stderr == *"connect /run/user/1000/wayland-0: No such file or directory"* ]]
    [[ $stderr == *"open /home/app/own: ok"* && $stderr == *"learn probe: done"* ]]
    # The device, the display socket and the host files, each with its call; the read folds into the write's mode.
    # The app's own files (its rootfs, its home) are no permission's.
    jq -e --arg d "$data" '.missing == [
        {"permission": "camera", "evidence": ["openat(\"/dev/video7\", O_RDONLY)"]},
        {"permission": "display", "evidence": ["connect(AF_UNIX, \"/run/user/1000/wayland-0\")"]},
        {"permission": "filesystem:rw", "evidence": ["openat(\"\($d)/out.txt\", O_WRONLY|O_CREAT)", "openat(\"\($d)/song.ogg\", O_RDONLY)"]}]' <<< "$output"
    jq -e '.change.add_permissions == ["camera", "display", "filesystem:rw"] and .unused == ["gpu"]' <<< "$output"
    jq -e -r .diff <<< "$output" | grep -qx '+filesystem = "rw"'
    # The audit log has each as a learn record with its path; nothing was let through that the bundle refuses.
    jq -e -s --arg d "$data" 'map(select(.event == "learn" and .app == "org.tauos.learnprobe" and .action == "denied"
        and (.path == "/dev/video7" or .path == "/run/user/1000/wayland-0" or .path == ($d + "/song.ogg"))))
        | length == 3' "$TAURUN_AUDIT_LOG"
}

@test "a process exec'd into a learning run is learnt from too; Ctrl-C ends the app, then the report; nothing is left" {
    mkdir -p "$W/sleeper"
    echo '{"id": "org.tauos.learnsleeper", "command": ["/bin/sh", "-c", "echo up >&2; exec sleep 1000"]}' \
        > "$W/sleeper/manifest.tau"
    # Under timeout: a learn that Ctrl-C did not end would otherwise hang the suite.
    timeout -k 5 30 "$TAURUN" --root "$W/run" learn --state-dir "$STATE" --rootfs "$W/rootfs" --json \
        "$W/sleeper/manifest.tau" < /dev/null > "$W/sleeper/out" 2> "$W/sleeper/err" &
    local watchdog=$! learner="" tries=100
    until grep -q up "$W/sleeper/err" || (( tries-- == 0 )); do sleep 0.1; done
    learner=$(pgrep -P "$watchdog")
    # The probe, exec'd into the running app: its socket() is refused and recorded like the app's own, not stopped.
    run --separate-stderr "$TAURUN" --root "$W/run" exec "taurun-learn-$learner" /app/bin/learnprobe
    echo "exec: $status $output $stderr"
    [ "$status" -eq 0 ]
    [[ $output == *$'socket AF_INET: Operation not permitted\nlearn probe: done'* ]]
    kill -INT "$learner"
    local status=0
    wait "$watchdog" || status=$?
    cat "$W/sleeper/out" "$W/sleeper/err"
    [ "$status" -eq 0 ]
    jq -e '.interrupted == true and .exit_code == 137 and .change.add_permissions == ["network"]' "$W/sleeper/out"
    jq -e '.missing == [{"permission": "network", "evidence": ["socket(AF_INET, SOCK_STREAM)"]}]' "$W/sleeper/out"
    [ -z "$("$TAURUN" --root "$W/run" list -q)" ]
    local uid=$(( $(jq -r '.apps["org.tauos.learnsleeper"]' "$STATE/ids.json") + 1000 ))
    ! pgrep -u "$uid" > /dev/null
}

# learned APP_MANIFEST EXPECTED [ARGS...]: learn's JSON report of an example app, the parts that depend on the app
# (not on the host), against a hand-written expectation.
learned() {
    local manifest=$1 expected=$2
    shift 2
    learn --json "$@" "$manifest"
    [ "$status" -eq 0 ]
    jq -e --argjson want "$expected" '{missing, refused, used: [.used[].permission], unused, not_allowed, change} == $want' <<< "$output"
}

@test "the example apps in bundles/ learn what their manifests say" {
    local none='"missing": [], "refused": [], "not_allowed": []'
    local unchanged='"change": {"add_permissions": [], "resources": {}}'
    # hello asks for nothing and uses nothing that needs a permission.
    learned "$REPO_ROOT/bundles/hello/tau.toml" "{$none, \"used\": [], \"unused\": [], $unchanged}"
    # media, everything granted: it lists its folder, never opens a socket, and this host has no camera or microphone
    # for it to open.
    mkdir -p "$W/media-data"
    "$TAURUN" convert --state-dir "$STATE" --rootfs "$W/rootfs" "$REPO_ROOT/bundles/media/manifest.tau" \
        --bundle "$W/media" --data "$W/media-data" --yes > /dev/null
    learned "$REPO_ROOT/bundles/media/manifest.tau" \
        "{$none, \"used\": [\"filesystem:ro\"], \"unused\": [\"network\", \"camera\", \"microphone\"], $unchanged}" \
        --data "$W/media-data"
    # notes writes its own home only, never its folder, and it stays within its 256M and 64 pids.
    mkdir -p "$W/notes-data"
    "$TAURUN" convert --state-dir "$STATE" --rootfs "$W/rootfs" "$REPO_ROOT/bundles/notes/tau-app.json" \
        --bundle "$W/notes" --data "$W/notes-data" --grant filesystem:rw > /dev/null
    # Its `date` reads /etc/localtime, which the busybox rootfs lacks: where the host has one, learn says that no
    # manifest can give it.
    local localtime='[]'
    [[ -e /etc/localtime ]] && localtime='[{"call": "openat(\"/etc/localtime\", O_RDONLY)",
        "reason": "/etc is never given to an app: ship the file in the app'"'"'s rootfs"}]'
    learned "$REPO_ROOT/bundles/notes/tau-app.json" "{\"missing\": [], \"refused\": [], \"not_allowed\": $localtime,
        \"used\": [], \"unused\": [\"filesystem:rw\"], $unchanged}" \
        --data "$W/notes-data"
    jq -e '.resources == [
        {"resource": "memory", "peak": .resources[0].peak, "limit": 268435456, "reached": false, "proposed": null, "at_ceiling": false},
        {"resource": "pids", "peak": .resources[1].peak, "limit": 64, "reached": false, "proposed": null, "at_ceiling": false}]' <<< "$output"
    # studio declares the microphone but also opens the camera, the GPU and a playback device: learn names the three
    # with the device each opened, on any host (absent devices fail with ENOENT inside; learn reads the path).
    "$TAURUN" convert --state-dir "$STATE" --rootfs "$W/rootfs" "$REPO_ROOT/bundles/studio/tau.toml" \
        --bundle "$W/studio" --grant microphone > /dev/null
    learned "$REPO_ROOT/bundles/studio/tau.toml" "{\"missing\": [
            {\"permission\": \"camera\", \"evidence\": [\"openat(\\\"/dev/video0\\\", O_RDONLY)\"]},
            {\"permission\": \"audio\", \"evidence\": [\"openat(\\\"/dev/snd/pcmC0D0p\\\", O_RDONLY)\"]},
            {\"permission\": \"gpu\", \"evidence\": [\"openat(\\\"/dev/dri/renderD128\\\", O_RDONLY)\"]}],
        \"refused\": [], \"used\": [\"microphone\"], \"not_allowed\": [], \"unused\": [],
        \"change\": {\"add_permissions\": [\"camera\", \"audio\", \"gpu\"], \"resources\": {}}}"
    [[ $(jq -r .diff <<< "$output") == *$'\n microphone = true\n+camera = true\n+audio = true\n+gpu = true' ]]
    # offline's nc opens an AF_INET socket against its manifest's network = false: the change flips it.
    learned "$REPO_ROOT/bundles/offline/tau.toml" "{\"missing\": [{\"permission\": \"network\", \"evidence\": [\"socket(AF_INET, SOCK_STREAM)\"]}],
        \"refused\": [], \"used\": [], \"not_allowed\": [], \"unused\": [],
        \"change\": {\"add_permissions\": [\"network\"], \"resources\": {}}}"
    [[ $(jq -r .diff <<< "$output") == *$'\n-network = false\n+network = true' ]]
}
