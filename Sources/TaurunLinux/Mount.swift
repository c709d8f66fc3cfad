import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// mount(2) flags by name. Values are the kernel's MS_* constants.
public struct MountFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt
    public init(rawValue: UInt) { self.rawValue = rawValue }
    public static let readOnly = MountFlags(rawValue: 1)
    public static let noSuid = MountFlags(rawValue: 2)
    public static let noDev = MountFlags(rawValue: 4)
    public static let noExec = MountFlags(rawValue: 8)
    public static let synchronous = MountFlags(rawValue: 16)
    public static let remount = MountFlags(rawValue: 32)
    public static let mandatoryLock = MountFlags(rawValue: 64)
    public static let dirSync = MountFlags(rawValue: 128)
    public static let noSymFollow = MountFlags(rawValue: 256)
    public static let noAtime = MountFlags(rawValue: 1024)
    public static let noDirAtime = MountFlags(rawValue: 2048)
    public static let bind = MountFlags(rawValue: 4096)
    public static let move = MountFlags(rawValue: 8192)
    public static let recursive = MountFlags(rawValue: 16384)
    public static let silent = MountFlags(rawValue: 32768)
    public static let unbindable = MountFlags(rawValue: 1 << 17)
    public static let `private` = MountFlags(rawValue: 1 << 18)
    public static let slave = MountFlags(rawValue: 1 << 19)
    public static let shared = MountFlags(rawValue: 1 << 20)
    public static let relAtime = MountFlags(rawValue: 1 << 21)
    public static let iVersion = MountFlags(rawValue: 1 << 23)
    public static let strictAtime = MountFlags(rawValue: 1 << 24)
    public static let lazyTime = MountFlags(rawValue: 1 << 25)

    public static let propagation: MountFlags = [.unbindable, .private, .slave, .shared]
}

public enum Mounts {
    public static func mount(source: String?, target: String, type: String?, flags: MountFlags, data: String?,
                             display: String? = nil) throws(SyscallError) {
        _ = try sys("mount", display ?? target) { Glibc.mount(source, target, type, flags.rawValue, data) }
    }

    public static func unmount(_ target: String, detach: Bool = true) throws(SyscallError) {
        _ = try sys("umount2", target) { umount2(target, detach ? Int32(MNT_DETACH) : 0) }
    }

    public static func pivotRoot(newRoot: String, putOld: String) throws(SyscallError) {
        _ = try sys("pivot_root", newRoot) { tr_pivot_root(newRoot, putOld) }
    }

    /// The flags the kernel reports for the mount holding `path` (statfs f_flags), limited to those a remount must
    /// keep: in a user namespace nosuid/nodev/noexec/ro of a locked mount cannot be cleared (remount would fail).
    public static func lockedFlags(of path: String) -> MountFlags {
        let raw = tr_statfs_flags(path)
        guard raw >= 0 else { return [] }
        let f = UInt(raw)
        var out: MountFlags = []
        if f & 1 != 0 { out.insert(.readOnly) }
        if f & 2 != 0 { out.insert(.noSuid) }
        if f & 4 != 0 { out.insert(.noDev) }
        if f & 8 != 0 { out.insert(.noExec) }
        if f & 1024 != 0 { out.insert(.noAtime) }
        if f & 2048 != 0 { out.insert(.noDirAtime) }
        if f & 4096 != 0 { out.insert(.relAtime) }
        return out
    }

    /// mount_setattr(2) attributes (MOUNT_ATTR_*).
    public struct Attributes: OptionSet, Sendable {
        public let rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }
        public static let readOnly = Attributes(rawValue: 0x1)
        public static let noSuid = Attributes(rawValue: 0x2)
        public static let noDev = Attributes(rawValue: 0x4)
        public static let noExec = Attributes(rawValue: 0x8)
    }

    /// mount_setattr(fd, "", AT_EMPTY_PATH [| AT_RECURSIVE]): sets `attributes` on the mount `fd` refers to and,
    /// with `recursive`, on every mount below it (`rro`: no submount stays writable). Linux 5.12+; ENOSYS before.
    public static func setAttributes(fd: Int32, _ attributes: Attributes, recursive: Bool, display: String) throws(SyscallError) {
        let flags = MountAPI.atEmptyPath | (recursive ? MountAPI.atRecursive : 0)
        _ = try sys("mount_setattr", display) { tr_mount_setattr(fd, "", flags, attributes.rawValue, 0, 0) }
    }

    /// open_tree(OPEN_TREE_CLONE): a detached copy of the mount at `path` (with `recursive`, of every mount below it
    /// too), attached nowhere until `attach(tree:onto:)`. Close-on-exec.
    public static func cloneTree(_ path: String, recursive: Bool) throws(SyscallError) -> Int32 {
        let flags = MountAPI.openTreeClone | UInt32(O_CLOEXEC) | (recursive ? MountAPI.atRecursive : 0)
        return try sys("open_tree", path) { tr_open_tree(AT_FDCWD, path, flags) }
    }

    /// open_tree(fd, "", OPEN_TREE_CLONE | AT_RECURSIVE | AT_EMPTY_PATH): a detached copy of the mount tree at the
    /// directory `fd` refers to, which no path lookup reaches: the caller may lack search permission above it.
    public static func cloneTree(of fd: Int32, display: String) throws(SyscallError) -> Int32 {
        let flags = MountAPI.openTreeClone | UInt32(O_CLOEXEC) | MountAPI.atRecursive | MountAPI.atEmptyPath
        return try sys("open_tree", display) { tr_open_tree(fd, "", flags) }
    }

    /// move_mount(tree → target): attaches a detached tree (`cloneTree`) on the directory or file `target` refers to.
    public static func attach(tree: Int32, onto target: Int32, display: String) throws(SyscallError) {
        let flags = MountAPI.moveMountFromEmptyPath | MountAPI.moveMountToEmptyPath
        _ = try sys("move_mount", display) { tr_move_mount(tree, "", target, "", flags) }
    }

    /// mount_setattr(MOUNT_ATTR_IDMAP): file owners on the detached tree `tree` show through the user namespace
    /// `userNamespace` (an owner id N on disk shows as what N maps to there). Only a tree not yet attached can be
    /// id-mapped, and only on filesystems that allow it (EINVAL otherwise).
    public static func setIDMapping(tree: Int32, userNamespace: Int32, recursive: Bool, display: String) throws(SyscallError) {
        let flags = MountAPI.atEmptyPath | (recursive ? MountAPI.atRecursive : 0)
        _ = try sys("mount_setattr(MOUNT_ATTR_IDMAP)", display) { tr_mount_setattr_idmap(tree, "", flags, userNamespace) }
    }

    /// Whether the kernel has mount_setattr(2) (probed with an invalid fd: EBADF when it exists, ENOSYS when not).
    public static var hasMountSetattr: Bool {
        tr_mount_setattr(-1, "", MountAPI.atEmptyPath, 0, 0, 0) == 0 || Glibc.errno != ENOSYS
    }
}

/// The flags of the new mount API (open_tree, move_mount, mount_setattr) from <linux/mount.h> and <fcntl.h>, which
/// Glibc's Swift module does not all export.
private enum MountAPI {
    static let atEmptyPath: UInt32 = 0x1000  // AT_EMPTY_PATH
    static let atRecursive: UInt32 = 0x8000  // AT_RECURSIVE
    static let openTreeClone: UInt32 = 1  // OPEN_TREE_CLONE
    static let moveMountFromEmptyPath: UInt32 = 0x4  // MOVE_MOUNT_F_EMPTY_PATH
    static let moveMountToEmptyPath: UInt32 = 0x40  // MOVE_MOUNT_T_EMPTY_PATH
}
