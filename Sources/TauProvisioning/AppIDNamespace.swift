import TauSandbox

/// Runs a helper program as root of a user namespace that maps an ordinary user's own ids (as 0) and one app's range
/// of the user's subordinate ids, through util-linux's `unshare --map-users/--map-groups` (2.38 or later), which
/// asks newuidmap and newgidmap: there the helper has the capabilities over the app's files that the user lacks
/// outside. Files an app made in its home belong to its host uid, and may be closed to the user by their mode (a
/// directory made 0700 gets an ACL mask of `---`), so an ordinary user's uninstall removes the home this way.
enum AppIDNamespace {
    static func run(_ program: String, _ arguments: [String], base: UInt32, size: UInt32) throws(SandboxError) {
        try HelperCommand.check("unshare", [
            "--user", "--map-user=0", "--map-group=0", "--map-users=\(base),1,\(size)", "--map-groups=\(base),1,\(size)",
            "--", program,
        ] + arguments)
    }

    /// rm -rf inside the namespace, never leaving the filesystem `path` is on (GNU rm neither follows a symlink
    /// nor crosses a mount with --one-file-system).
    static func removeTree(_ path: String, base: UInt32, size: UInt32) throws(SandboxError) {
        try run("rm", ["-rf", "--one-file-system", "--", path], base: base, size: size)
    }
}
