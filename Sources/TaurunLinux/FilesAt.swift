import TaurunSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Calls on a name inside an open directory (the *at family), none of which follows a symlink at that name: for
/// copying a tree fd to fd inside a rootfs, where a planted symlink must be copied as one and never followed out.
/// `display` names the file in errors.
extension Files {
    /// fstatat(2) with AT_SYMLINK_NOFOLLOW: a symlink's own status.
    public static func stat(at directory: Int32, _ name: String, display: String) throws(SyscallError) -> stat {
        var st = Glibc.stat()
        _ = try sys("fstatat", display) { fstatat(directory, name, &st, AT_SYMLINK_NOFOLLOW) }
        return st
    }

    /// mkdirat(2) of one directory (mode less the umask).
    public static func makeDirectory(at directory: Int32, _ name: String, mode: UInt32, display: String) throws(SyscallError) {
        _ = try sys("mkdir", display) { mkdirat(directory, name, mode_t(mode)) }
    }

    /// readlinkat(2): the target of the symlink `name`.
    public static func readLink(at directory: Int32, _ name: String, display: String) throws(SyscallError) -> [CChar] {
        var link = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = try sys("readlink", display) { readlinkat(directory, name, &link, link.count - 1) }
        return Array(link[0..<n])
    }

    /// symlinkat(2): `name` made a symlink to `target` (bytes as readLink(at:) returned them).
    public static func makeSymlink(to target: [CChar], at directory: Int32, _ name: String, display: String) throws(SyscallError) {
        _ = try sys("symlink", display) { symlinkat(target + [0], directory, name) }
    }

    /// mknodat(2) with the type and permission bits of `mode` and the device number `device`, as stat reported them.
    public static func makeNode(at directory: Int32, _ name: String, mode: UInt32, device: UInt, display: String) throws(SyscallError) {
        _ = try sys("mknod", display) { mknodat(directory, name, mode_t(mode), dev_t(device)) }
    }

    /// fchownat(2) with AT_SYMLINK_NOFOLLOW, best effort (false when refused): a copy keeps what owners it may.
    @discardableResult
    public static func changeOwner(at directory: Int32, _ name: String, uid: UInt32, gid: UInt32) -> Bool {
        fchownat(directory, name, uid_t(uid), gid_t(gid), AT_SYMLINK_NOFOLLOW) == 0
    }

    /// fchown(2), best effort (false when refused).
    @discardableResult
    public static func changeOwner(fd: Int32, uid: UInt32, gid: UInt32) -> Bool { fchown(fd, uid_t(uid), gid_t(gid)) == 0 }

    /// fchmod(2), best effort (false when refused): TaurunSupport's file layer's.
    @discardableResult
    public static func changeMode(fd: Int32, _ mode: UInt32) -> Bool { FileIO<SyscallError>.changeMode(fd: fd, mode) }

    /// Copies everything `from` has left to read into `to`, 64 KiB at a time (a file of any size, never held whole).
    public static func copyContents(from: Int32, to: Int32, path: String) throws(SyscallError) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = try sys("read", path) { buffer.withUnsafeMutableBytes { Glibc.read(from, $0.baseAddress, $0.count) } }
            if n == 0 { return }
            try writeAll(fd: to, Array(buffer[0..<n]), path: path)
        }
    }
}
