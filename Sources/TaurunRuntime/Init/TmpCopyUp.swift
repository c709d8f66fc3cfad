import TaurunLinux
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

/// `tmpcopyup` (crun's mount option, which Podman sets for --read-only and --tmpfs): a tmpfs mounted over an image
/// directory starts with a copy of what the image had there. Copied fd to fd (openat/fstatat with NOFOLLOW), so a
/// symlink in the image is copied as a symlink and never followed out of the rootfs.
enum TmpCopyUp {
    static func copy(from source: Int32, to target: Int32, display: String) throws {
        var st = statBuf()
        _ = try sys("fstat", display) { fstat(source, &st) }
        _ = fchmod(target, st.st_mode & 0o7777)
        _ = fchown(target, st.st_uid, st.st_gid)
        try copyEntries(from: source, to: target, display: display, depth: 0)
    }

    private static func copyEntries(from source: Int32, to target: Int32, display: String, depth: Int) throws {
        guard depth < 64 else { throw RuntimeError.container("tmpcopyup \(display): directory tree deeper than 64 levels") }
        let listFD = try sys("dup", display) { fcntl(source, F_DUPFD_CLOEXEC, 3) }
        guard let dir = fdopendir(listFD) else { close(listFD); throw SyscallError("fdopendir", display) }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name == "." || name == ".." { continue }
            let path = display + "/" + name
            var st = statBuf()
            _ = try sys("fstatat", path) { fstatat(source, name, &st, AT_SYMLINK_NOFOLLOW) }
            switch FileKind(mode: st.st_mode) {
            case .directory:
                if mkdirat(target, name, st.st_mode & 0o7777) != 0 && errno != EEXIST { throw SyscallError("mkdir", path) }
                let from = try Files.openat(source, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, display: path)
                defer { close(from) }
                let to = try Files.openat(target, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, display: path)
                defer { close(to) }
                try copyEntries(from: from, to: to, display: path, depth: depth + 1)
            case .regular:
                let from = try Files.openat(source, name, O_RDONLY | O_NOFOLLOW, display: path)
                defer { close(from) }
                let to = try Files.openat(target, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW,
                                          mode: UInt32(st.st_mode & 0o7777), display: path)
                defer { close(to) }
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let n = try sys("read", path) { buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) } }
                    if n == 0 { break }
                    try Files.writeAll(fd: to, Array(buffer[0..<n]), path: path)
                }
                _ = fchmod(to, st.st_mode & 0o7777)
            case .symlink:
                var link = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let n = try sys("readlink", path) { readlinkat(source, name, &link, link.count - 1) }
                link[n] = 0
                _ = try sys("symlink", path) { symlinkat(link, target, name) }
            default:
                // Device nodes, fifos, sockets: the same node (mknod fails in a user namespace; skip those, as crun).
                if mknodat(target, name, st.st_mode, st.st_rdev) != 0 && errno != EPERM { throw SyscallError("mknod", path) }
            }
            _ = fchownat(target, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW)
        }
    }
}
