import TauSandbox
import TaurunSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Rootfs skeletons shared by bundles, `<state>/skeletons/<name>` (TauSandbox's `RootfsSkeleton` names them by the
/// layout's content), immutable once complete.
///
/// Why shared: a skeleton is ~15 empty directories, and a mkdir on ext4 here costs 30-400 µs (journal), so building
/// one per bundle was most of a convert into a new bundle directory. Apps over the same rootfs with the same mount
/// points have the same layout, so the skeleton is built once per layout, normally on the first convert.
///
/// Why safe to share: the skeleton is owned by host root and mode 0755, so no app's unprivileged host uid can change
/// it; the runtime mounts it read-only (`root.readonly`) in the container's own mount namespace, and every mount
/// convert adds lands in that namespace, never in the shared directory.
///
/// A skeleton is built in `skeletons/.building` and renamed to its name only when complete, under the state lock
/// (one builder at a time), so a killed convert leaves at most `.building`, which the next build removes, and never a
/// partial skeleton under a real name. Convert never deletes a skeleton: bundles anywhere on the host may refer to
/// it, and a skeleton costs a few inodes.
struct SkeletonStore: Sendable {
    let stateDirectory: String

    var directory: String { RootfsSkeleton.directory(stateDirectory: stateDirectory) }
    var building: String { directory + "/.building" }

    /// Checks that can fail without side effects (before convert writes anything). The runtime resolves root.path
    /// as the app's unprivileged root, so the skeleton's parents get the same o+x check as the bundle's; a skeleton
    /// that already exists is used as it is, so it must still be sealed.
    func preflight(_ layout: RootfsLayout) throws(SandboxError) {
        let path = RootfsSkeleton.path(for: layout, stateDirectory: stateDirectory)
        try AccessCheck.requireTraversable(path, origin: "rootfs skeleton")
        if FileSystem.kind(path) != nil { try Self.requireSealed(path) }
    }

    /// The skeleton for `layout`, built if it is missing. Call under `StateLock`, after `preflight`.
    func ensure(_ layout: RootfsLayout) throws(SandboxError) -> String {
        let path = RootfsSkeleton.path(for: layout, stateDirectory: stateDirectory)
        if FileSystem.kind(path) != nil {
            try Self.requireSealed(path)
            return path
        }
        try StateDirectory.ensureBase(stateDirectory)
        if FileSystem.kind(directory) == nil { try FileSystem.makeDirectory(directory, mode: 0o711) }
        if FileSystem.kind(building) != nil { try FileSystem.removeTree(building) }
        try FileSystem.makeDirectory(building, mode: 0o755)
        do {
            for entry in layout.entries {
                let entryPath = building + entry.path
                switch entry {
                case .directory: try FileSystem.makeDirectory(entryPath, mode: 0o755)
                case .emptyFile: try FileSystem.createFile(entryPath, bytes: [], mode: 0o644)
                case .symlink(_, let target): try FileSystem.makeSymlink(entryPath, target: target)
                }
            }
            try FileSystem.rename(building, to: path)
        } catch {
            try? FileSystem.removeTree(building)
            throw error
        }
        return path
    }

    /// Removes the skeleton `name` (`taurun uninstall`, once no other app's bundles have named it; convert itself
    /// never removes one). Returns whether there was one. Call under `StateLock`.
    func remove(_ name: String) throws(SandboxError) -> Bool {
        guard RootfsSkeleton.isName(name) else {
            throw .io(call: "remove skeleton", path: directory + "/" + name, errno: EINVAL)
        }
        let path = directory + "/" + name
        guard FileSystem.kind(path) != nil else { return false }
        try FileSystem.removeTree(path)
        return true
    }

    /// An existing skeleton is used as it is, so it must still be what `ensure` built: a directory of root's that
    /// nobody else can write (an app's host uid could otherwise plant entries other apps' containers see).
    static func requireSealed(_ path: String) throws(SandboxError) {
        let info = try FileSystem.status(path)
        let owner = ProcessIdentity.effectiveUID
        guard info.st_mode & S_IFMT == S_IFDIR, info.st_uid == owner, info.st_mode & 0o7777 == 0o755 else {
            throw .policyDenied(
                reason: "rootfs skeleton \(path) is not a directory owned by uid \(owner) with mode 755 "
                    + "(mode \(String(info.st_mode & 0o7777, radix: 8)), owner \(info.st_uid)); remove it and convert again")
        }
    }
}
