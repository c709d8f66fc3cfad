#!/usr/bin/env bats
# Devices asked for at runtime (issue 19, part 3; docs/prompts.md, "Devices"). A real app converted from a manifest
# with on_violation = "ask" requests `camera`, which nobody has decided: the bundle binds the camera's node in but
# leaves it out of the device cgroup, taurun routes the app's opens to its security monitor, and an open of the node
# is held while the user is asked through the prompt agent (Tests/Integration/prompt_agent.py). On allow the monitor
# opens the node itself and hands the app the descriptor (SECCOMP_IOCTL_NOTIF_ADDFD); on deny the open fails. The
# camera is a node made for the test with the numbers of /dev/cpu_dma_latency (harmless: a read gives the current
# latency target; opened without capabilities; not in any runtime's default device allowlist, so only the device
# cgroup stands between the app and it) and mode 0666, so file permissions do not stop the app either. Needs root,
# cc and Linux 5.14 (SECCOMP_ADDFD_FLAG_SEND).

bats_require_minimum_version 1.5.0

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
TAURUN=${TAURUN:-$REPO_ROOT/.build/release/taurun}
APP_ID=org.tauos.deviceprobe
PROBE=/app/bin/deviceprobe
load prompt_helpers

setup_file() {
    skip_without_prompt_tools
    local release major minor
    release=$(uname -r)
    major=${release%%.*}
    minor=${release#*.}
    minor=${minor%%.*}
    (( major > 5 || (major == 5 && minor >= 14) )) \
        || skip "Linux $release has no SECCOMP_ADDFD_FLAG_SEND (5.14): the monitor cannot hand a device over"
    [[ -c /dev/cpu_dma_latency ]] || skip "no /dev/cpu_dma_latency whose numbers the test camera borrows"
    make_workspace tau-prompt-devices
    mkdir -p "$W/dev"
    cc -static -O2 -pthread -o "$W/rootfs/app/bin/deviceprobe" "$BATS_TEST_DIRNAME/probes/device_probe.c" \
        || skip "cannot build a static probe here"
    mknod "$W/dev/video0" c "$((16#$(stat -c %t /dev/cpu_dma_latency)))" "$((16#$(stat -c %T /dev/cpu_dma_latency)))"
    chmod 666 "$W/dev/video0"
}

teardown_file() {
    [[ -n ${W:-} ]] && rm -rf "$W"
    return 0
}

setup() {
    # The test camera's numbers.
    MAJOR=$((16#$(stat -c %t "$W/dev/video0")))
    MINOR=$((16#$(stat -c %T "$W/dev/video0")))
    export MAJOR MINOR
    new_test_state
}

# convert ARGS...: the probe app with ARGS as its command's arguments, into $T/bundle, the test camera on the host.
# $PERMISSION (default camera) is what the manifest requests, $DEVROOT (default $W/dev) where convert finds devices.
convert() {
    local args
    args=$(printf '"%s", ' "$@")
    args=${args%, }
    cat > "$T/tau.toml" <<TOML
id = "org.tauos.deviceprobe"
name = "Device probe"
version = "1.0.0"
command = ["/app/bin/deviceprobe", $args]
on_violation = "ask"

[permissions]
${PERMISSION:-camera} = true
TOML
    run "$TAURUN" convert "$T/tau.toml" --bundle "$T/bundle" --state-dir "$STATE" --rootfs "$W/rootfs" \
        --device-root "${DEVROOT:-$W/dev}" < /dev/null
    echo "convert: $output"
    [ "$status" -eq 0 ]
}

granted() { jq -e '.granted | index("camera")' "$STATE/grants/org.tauos.deviceprobe.json" > /dev/null; }

# The device cgroup rules of the bundle that allow the camera's numbers.
camera_rules() {
    jq --argjson major "$MAJOR" --argjson minor "$MINOR" \
        '[.linux.resources.devices[] | select(.allow and .major == $major and .minor == $minor)] | length' "$T/bundle/config.json"
}

@test "convert binds an undecided camera under ask, but the device cgroup does not allow it" {
    convert stat /dev/video0
    [[ $output == *"granted -; denied -; asked at runtime camera" ]]
    jq -e '.annotations["org.tauos.app.devices.asked"] == "camera:/dev/video0:\(env.MAJOR):\(env.MINOR)"
        and .annotations["org.tauos.app.permissions.denied"] == "camera"
        and ([.mounts[] | select(.destination == "/dev/video0" and .source == env.W + "/dev/video0")] | length == 1)' \
        "$T/bundle/config.json"
    [ "$(camera_rules)" -eq 0 ]
    run "$TAURUN" explain "$T/tau.toml" --state-dir "$STATE" --device-root "$W/dev"
    [[ $output == *"undecided (asked at runtime)"* ]]
    run "$TAURUN" convert --json "$T/tau.toml" --bundle "$T/bundle-json" --state-dir "$STATE" --rootfs "$W/rootfs" \
        --device-root "$W/dev" < /dev/null
    echo "$output" | jq -e '.asked_at_runtime == ["camera"] and .denied == [] and .granted == []'
    # The node is there for the app to name.
    runapp devices-stat
    [ "$output" = "stat /dev/video0: character device $MAJOR:$MINOR"$'\ndevice probe: done' ]
}

@test "allow once: the monitor hands the app the device, with the open's access mode and O_CLOEXEC; nothing is recorded" {
    convert open /dev/video0 ro cloexec
    agent allow-once
    runapp devices-once-1
    [ "$status" -eq 0 ]
    [ "$output" = "open /dev/video0: ok O_RDONLY cloexec device $MAJOR:$MINOR read some"$'\ndevice probe: done' ]
    [ "$(questions)" -eq 1 ]
    jq -e '.permission == "camera" and .call == "openat(\"/dev/video0\", O_RDONLY)" and .app == "org.tauos.deviceprobe"' "$T/agent.log"
    [ "$(records prompt asked)" -eq 1 ]
    jq -e -s 'map(select(.event == "prompt-answer" and .action == "allow-once" and .path == "/dev/video0" and .permission == "camera"))
        | length == 1' "$TAURUN_AUDIT_LOG"
    ! granted
    # Read-write and without O_CLOEXEC, the next run (asked again: once is one run).
    runapp devices-once-2 open /dev/video0 rw
    [ "$output" = "open /dev/video0: ok O_RDWR device $MAJOR:$MINOR read some"$'\ndevice probe: done' ]
    [ "$(questions)" -eq 2 ]
}

@test "deny once: the open fails with EPERM and is audited; a second open in the run is refused without a question" {
    convert open /dev/video0 ro
    agent deny-once
    runapp devices-deny open /dev/video0 ro
    [ "$status" -eq 0 ]
    [ "$output" = $'open /dev/video0: Operation not permitted\ndevice probe: done' ]
    [ "$(records prompt-answer deny-once)" -eq 1 ]
    ! granted
    # Two opens in one run: one question; the second open is refused by its answer, audited as a denied violation
    # with the path.
    jq '.process.args = ["/bin/sh", "-c", "/app/bin/deviceprobe open /dev/video0 ro; /app/bin/deviceprobe open /dev/video0 ro"]' \
        "$T/bundle/config.json" > "$T/config.json" && mv "$T/config.json" "$T/bundle/config.json"
    runapp devices-deny-2
    [ "$output" = $'open /dev/video0: Operation not permitted\ndevice probe: done\nopen /dev/video0: Operation not permitted\ndevice probe: done' ]
    [ "$(questions)" -eq 2 ]
    jq -e -s 'map(select(.event == "violation" and .container == "devices-deny-2" and .action == "denied"
        and .permission == "camera" and .path == "/dev/video0")) | length == 1' "$TAURUN_AUDIT_LOG"
}

@test "allow always: recorded as a grant; the next convert allows the camera in the device cgroup and nobody is asked" {
    convert open /dev/video0 ro
    agent allow-always
    runapp devices-always-1
    [ "$output" = "open /dev/video0: ok O_RDONLY device $MAJOR:$MINOR read some"$'\ndevice probe: done' ]
    granted
    jq -e -s 'map(select(.event == "consent" and .permission == "camera" and .action == "granted")) | length == 1' "$TAURUN_AUDIT_LOG"
    stop_agent
    # Before a new convert the recorded grant answers: handed over by the monitor, no question.
    runapp devices-always-2
    [ "$output" = "open /dev/video0: ok O_RDONLY device $MAJOR:$MINOR read some"$'\ndevice probe: done' ]
    [ "$(records prompt)" -eq 1 ]
    convert open /dev/video0 ro
    [[ $output == *"granted camera; denied -" ]]
    [ "$(camera_rules)" -eq 1 ]
    jq -e '.annotations["org.tauos.app.devices.asked"] == null' "$T/bundle/config.json"
    runapp devices-always-3
    [ "$output" = "open /dev/video0: ok O_RDONLY device $MAJOR:$MINOR read some"$'\ndevice probe: done' ]
    [ "$(records prompt)" -eq 1 ]
}

@test "the app's own open of the bound node fails: through /proc/self/fd, and under runc or crun with no monitor" {
    convert reopen /dev/video0
    # Allowed, even: the monitor hands over only what it opened itself; the app reopening an O_PATH descriptor is
    # not an open of the camera's path, runs as the app's own, and the device cgroup refuses it.
    export TAURUN_PROMPT_DEFAULT=allow-once
    runapp devices-reopen
    [ "$output" = $'reopen /dev/video0: Operation not permitted\ndevice probe: done' ]
    local other
    # crun on a cgroup v1 hybrid host wants the hugetlb controller mounted (as sandbox.bats does).
    if [[ -d /sys/fs/cgroup && ! -e /sys/fs/cgroup/cgroup.controllers ]] && ! mountpoint -q /sys/fs/cgroup/hugetlb; then
        mkdir -p /sys/fs/cgroup/hugetlb && mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb || true
    fi
    for other in runc crun; do
        command -v "$other" > /dev/null || continue
        jq '.process.args = ["/app/bin/deviceprobe", "open", "/dev/video0", "ro"]' "$T/bundle/config.json" > "$T/config.json"
        mv "$T/config.json" "$T/bundle/config.json"
        run --separate-stderr "$other" --root "$W/$other" run --bundle "$T/bundle" "devices-$other" < /dev/null
        "$other" --root "$W/$other" delete -f "devices-$other" > /dev/null 2>&1 || true
        echo "$other: $output"
        [ "$output" = $'open /dev/video0: Operation not permitted\ndevice probe: done' ]
    done
}

@test "a thread swapping the path between the monitor's check and the open never gets the device it was refused" {
    convert race /dev/video0 /etc/passwd 3000
    agent deny-once
    runapp devices-race
    [ "$status" -eq 0 ]
    [[ $output == $'race: 0 of 3000 opens got the device ('*$' opened)\ndevice probe: done' ]]
    # The monitor asked once, and was answered deny: every open that named the camera when it was read failed, and
    # every one that named /etc/passwd ran as the app's own open, which the device cgroup refused whenever the
    # thread had made it the camera by then.
    echo "questions: $(questions)"; cat "$T/agent.log" 2> /dev/null || true
    [ "$(questions)" -eq 1 ]
    ! granted
}

@test "a process exec'd into the app is asked about the device and handed it the same way" {
    convert open /dev/video0 ro
    jq '.process.args = ["/bin/sleep", "60"]' "$T/bundle/config.json" > "$T/config.json" && mv "$T/config.json" "$T/bundle/config.json"
    agent allow-once
    timeout 60 setsid -w "$TAURUN" --root "$W/run" run -d --bundle "$T/bundle" devices-exec < /dev/null > /dev/null 2>&1
    run --separate-stderr timeout 60 "$TAURUN" --root "$W/run" exec devices-exec /app/bin/deviceprobe open /dev/video0 ro
    "$TAURUN" --root "$W/run" delete -f devices-exec > /dev/null 2>&1 || true
    echo "status $status; stdout: $output; stderr: $stderr"
    [ "$output" = "open /dev/video0: ok O_RDONLY device $MAJOR:$MINOR read some"$'\ndevice probe: done' ]
    [ "$(questions)" -eq 1 ]
    jq -e '.container == "devices-exec" and .permission == "camera"' "$T/agent.log"
}

@test "microphone: an undecided capture device is asked for and handed over like the camera" {
    # A capture PCM with the test camera's numbers, in a device root of its own.
    mkdir -p "$T/dev/snd"
    mknod "$T/dev/snd/pcmC0D0c" c "$MAJOR" "$MINOR"
    chmod 666 "$T/dev/snd/pcmC0D0c"
    PERMISSION=microphone DEVROOT="$T/dev" convert open /dev/snd/pcmC0D0c ro
    [[ $output == *"asked at runtime microphone" ]]
    jq -e '.annotations["org.tauos.app.devices.asked"] == "microphone:/dev/snd/pcmC0D0c:\(env.MAJOR):\(env.MINOR)"' "$T/bundle/config.json"
    [ "$(camera_rules)" -eq 0 ]
    agent allow-once
    runapp devices-mic
    [ "$output" = "open /dev/snd/pcmC0D0c: ok O_RDONLY device $MAJOR:$MINOR read some"$'\ndevice probe: done' ]
    jq -e '.permission == "microphone" and .call == "openat(\"/dev/snd/pcmC0D0c\", O_RDONLY)"' "$T/agent.log"
}

@test "while the user is asked, the app's other threads' opens of its own files run on" {
    convert meanwhile /dev/video0 /etc/passwd
    agent silent
    export TAURUN_PROMPT_TIMEOUT=2
    runapp devices-meanwhile
    [ "$status" -eq 0 ]
    # The question stays up 2 s; the other thread opens /etc/passwd every millisecond or so meanwhile.
    [[ $output == $'meanwhile: at least 10 '*$' opens of /etc/passwd while /dev/video0 was held\nopen /dev/video0: Operation not permitted\ndevice probe: done' ]]
    [ "$(records prompt-answer timeout)" -eq 1 ]
}

@test "two threads opening the device at once: one question, its answer decides both" {
    convert twice /dev/video0
    agent allow-once
    runapp devices-twice
    [ "$output" = $'twice: ok ok\ndevice probe: done' ]
    [ "$(questions)" -eq 1 ]
    stop_agent
    agent deny-once
    runapp devices-twice-2
    [ "$output" = $'twice: Operation not permitted Operation not permitted\ndevice probe: done' ]
    [ "$(questions)" -eq 2 ]
}
