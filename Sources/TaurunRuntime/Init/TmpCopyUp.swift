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
        let st = try Files.stat(fd: source, display: display)
        Files.changeMode(fd: target, UInt32(st.st_mode & 0o7777))
        Files.changeOwner(fd: target, uid: st.st_uid, gid: st.st_gid)
        try copyEntries(from: source, to: target, display: display, depth: 0)
    }

    private static func copyEntries(from source: Int32, to target: Int32, display: String, depth: Int) throws {
        guard depth < 64 else { throw RuntimeError.container("tmpcopyup \(display): directory tree deeper than 64 levels") }
        for entry in try Files.entries(ofDirectory: source, display: display) {
            let name = entry.name
            let path = display + "/" + name
            let st = try Files.stat(at: source, name, display: path)
            let mode = UInt32(st.st_mode & 0o7777)
            switch FileKind(mode: st.st_mode) {
            case .directory:
                do { try Files.makeDirectory(at: target, name, mode: mode, display: path) } catch {
                    if error.errno.rawValue != EEXIST { throw error }
                }
                let from = try Files.openat(source, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, display: path)
                defer { Files.close(from) }
                let to = try Files.openat(target, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, display: path)
                defer { Files.close(to) }
                try copyEntries(from: from, to: to, display: path, depth: depth + 1)
            case .regular:
                let from = try Files.openat(source, name, O_RDONLY | O_NOFOLLOW, display: path)
                defer { Files.close(from) }
                let to = try Files.openat(target, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: mode, display: path)
                defer { Files.close(to) }
                try Files.copyContents(from: from, to: to, path: path)
                Files.changeMode(fd: to, mode)
            case .symlink:
                let link = try Files.readLink(at: source, name, display: path)
                try Files.makeSymlink(to: link, at: target, name, display: path)
            default:
                // Device nodes, fifos, sockets: the same node (mknod fails in a user namespace; skip those, as crun).
                do { try Files.makeNode(at: target, name, mode: UInt32(st.st_mode), device: UInt(st.st_rdev), display: path) } catch {
                    if error.errno.rawValue != EPERM { throw error }
                }
            }
            Files.changeOwner(at: target, name, uid: st.st_uid, gid: st.st_gid)
        }
    }
}
