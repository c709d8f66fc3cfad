import TauSandbox

/// The host user who owns an app (the one who converted it, or `--owner USER`) can open and change what the app
/// wrote in its private home (../shared/seeds/004: "700 + ACLs"): the home stays 0700 to every other app and user,
/// and the owner gets ACL entries on it and on everything below, with default entries so new files stay reachable.
/// The owner is recorded (`<state>/apps/<id>/owner`) before any entry is set, so a later convert with another owner
/// (or none) removes the old entries.
///
/// Root sets these entries in a tree the app writes, so they go through TauProvisioning's `ACLTree`, which walks by file descriptor and
/// never follows a symlink: with `setfacl -R` an app could swap a directory of its home for a symlink between
/// setfacl's lstat and its change, and have root give its owner (or take away) access to /etc/shadow.
struct OwnerAccess {
    let stateDirectory: String
    let app: AppID
    let home: String
    let host: any HostProvisioning

    var recordFile: String { StateLayout.appDirectory(stateDirectory, app) + "/owner" }

    /// Gives `owner` (a host uid; nil: nobody beyond the app) access, and takes it from a previous owner.
    func apply(owner: UInt32?) throws(SandboxError) {
        let previous = (try? FileSystem.readFile(recordFile)).flatMap { UInt32(String(decoding: $0, as: UTF8.self)) }
        if let previous, previous != owner {
            try host.withdrawACL(tree: home, uid: previous, mountUID: nil)
            try? FileSystem.unlinkIfPresent(recordFile)
        }
        guard let owner else { return }
        try FileSystem.replaceFile(recordFile, bytes: Array(String(owner).utf8), mode: 0o600)
        // rwX: files keep their own x bit; directories get x so the owner can walk them.
        guard try host.grantACL(tree: home, uid: owner, writable: true, mountUID: nil) else {
            throw .sandboxUnavailable(what: "giving the app's owner access to \(home) needs POSIX ACLs, which its filesystem does not support")
        }
    }
}
