# Shared setup for the Podman and containerd conformance suites.
#
# RUNTIME is the OCI runtime under test, an absolute path (default /usr/local/bin/taurun); the same checks run
# against runc with RUNTIME=/usr/sbin/runc. conformance/setup.sh must have run once (packages, image).

bats_require_minimum_version 1.5.0

CONF_DIR=$(cd "$BATS_TEST_DIRNAME" && pwd)
REPO_ROOT=$(cd "$CONF_DIR/.." && pwd)
RUNTIME=${RUNTIME:-/usr/local/bin/taurun}
if [[ $RUNTIME != /* ]]; then RUNTIME=$(command -v "$RUNTIME"); fi
IMAGE=localhost/taurun-busybox:latest
OCI_ARCHIVE=$REPO_ROOT/build/conformance/busybox.oci.tar

runtime_name() { basename "$RUNTIME"; }

# Fails the whole file early with a clear message when setup.sh has not been run.
require_setup() {
    [[ -x $RUNTIME ]] || { echo "RUNTIME $RUNTIME is not executable" >&2; return 1; }
    command -v "$1" >/dev/null || { echo "$1 is missing: run conformance/setup.sh" >&2; return 1; }
}

# Skips when the runtime under test has no such verb (e.g. `pause` in an early taurun): the verb must be listed in
# the runtime's top-level help, as runc and taurun both list their commands.
requires_verb() {
    "$RUNTIME" --help 2>&1 | grep -qE "^[[:space:]]+$1([[:space:],]|$)" || skip "$(runtime_name) has no '$1' command"
}

# A name unique to this test, so parallel suites and leftovers of earlier runs never collide.
unique_name() {
    echo "conf-${BATS_TEST_NUMBER}-$$-${1:-c}"
}

# `script` gives the command a real pty on both sides (stdin and stdout are a terminal), as an interactive shell
# would; -e returns the command's exit status.
with_pty() {
    script -qec "$1" /dev/null
}

# Polls `$1` (a shell condition) for up to $2 seconds (default 10).
wait_for() {
    local cond=$1 limit=${2:-10} i
    for ((i = 0; i < limit * 10; i++)); do
        eval "$cond" && return 0
        sleep 0.1
    done
    return 1
}
