import CLinux
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

/// A device's major:minor, as the device cgroup and `mknod` name it, read from a stat's st_rdev (glibc's
/// major()/minor() are macros Swift does not see; this is their encoding).
public struct DeviceNumber: Equatable, Hashable, Sendable, CustomStringConvertible {
    public let major: UInt32
    public let minor: UInt32

    public init(major: UInt32, minor: UInt32) {
        self.major = major
        self.minor = minor
    }

    public init(rdev: UInt64) {
        major = UInt32(truncatingIfNeeded: ((rdev >> 8) & 0xFFF) | ((rdev >> 32) & ~UInt64(0xFFF)))
        minor = UInt32(truncatingIfNeeded: (rdev & 0xFF) | ((rdev >> 12) & ~UInt64(0xFF)))
    }

    public var description: String { "\(major):\(minor)" }

    /// The character device `fd` is, nil when it is something else.
    public static func ofCharacterDevice(fd: Int32) -> DeviceNumber? {
        var st = stat()
        guard fstat(fd, &st) == 0, FileKind(mode: st.st_mode) == .characterDevice else { return nil }
        return DeviceNumber(rdev: UInt64(st.st_rdev))
    }

    /// The character device `path` names below the directory `root` (say /proc/<pid>/root), resolved as it would be
    /// from inside (RESOLVE_IN_ROOT; magic links refused), without opening the device (O_PATH); the last component's
    /// symlink followed unless `followingLastSymlink` is false (the open's O_NOFOLLOW). nil when it names no
    /// character device, or cannot be resolved.
    public static func ofCharacterDevice(_ path: String, inRoot root: String, followingLastSymlink: Bool) -> DeviceNumber? {
        let rootFD = tr_open(root, Int32(TR_O_PATH) | O_DIRECTORY | O_CLOEXEC, 0)
        guard rootFD >= 0 else { return nil }
        defer { close(rootFD) }
        return ofCharacterDevice(path, inRootFD: rootFD, followingLastSymlink: followingLastSymlink)
    }

    /// The same below the directory `rootFD` is open on (the security monitor keeps the container's root open).
    public static func ofCharacterDevice(_ path: String, inRootFD rootFD: Int32, followingLastSymlink: Bool) -> DeviceNumber? {
        let flags = Int32(TR_O_PATH) | O_CLOEXEC | (followingLastSymlink ? 0 : O_NOFOLLOW)
        let fd = tr_openat2(rootFD, path, UInt64(UInt32(bitPattern: flags)), 0, Files.resolveInRoot | Files.resolveNoMagicLinks)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return ofCharacterDevice(fd: fd)
    }
}
