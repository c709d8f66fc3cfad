#!/usr/bin/env bash
# Runs a command on a host that looks like one without the optional cgroup v1 controllers: in a private mount
# namespace where blkio and hugetlb (and the swap-accounting-only memsw files' absence is already a kernel option)
# are unmounted. Proves that tests needing those skip with a reason instead of failing, and that the runtime refuses
# only the fields it cannot apply (issue 15, item 9). Prints which hierarchies it hid.
#
#   scripts/without-optional-cgroups.sh bats Tests/Integration/cgroups.bats
set -euo pipefail
(( $# > 0 )) || { echo "usage: without-optional-cgroups.sh COMMAND [ARGS...]" >&2; exit 2; }

exec unshare --mount --propagation private bash -c '
    hidden=()
    for controller in blkio hugetlb; do
        mnt=$(awk -v want="$controller" "{
            sep = 0
            for (i = 7; i <= NF; i++) if (\$i == \"-\") { sep = i; break }
            if (sep == 0 || \$(sep + 1) != \"cgroup\") next
            n = split(\$(sep + 3), opts, \",\")
            for (j = 1; j <= n; j++) if (opts[j] == want) { print \$5; exit }
        }" /proc/self/mountinfo)
        [[ -n $mnt ]] || continue
        umount "$mnt"
        hidden+=("$controller")
    done
    echo "# hidden cgroup controllers: ${hidden[*]:-none (none was mounted)}" >&2
    exec "$@"
' without-optional-cgroups "$@"
