// The few file operations the audit log needs, as plain syscalls that throw AuditError (call + path + errno).

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

enum AuditFiles {
    /// Opens `path`, retrying EINTR.
    static func openFile(_ path: String, _ flags: Int32, mode: mode_t = 0) throws(AuditError) -> Int32 {
        while true {
            let fd = open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            let code = errno
            if code != EINTR { throw AuditError(call: "open", path: path, errno: code) }
        }
    }

    /// Like `openFile`, but a path that does not exist is nil rather than an error.
    static func openIfPresent(_ path: String, _ flags: Int32) throws(AuditError) -> Int32? {
        do {
            return try openFile(path, flags)
        } catch where error.errno == ENOENT {
            return nil
        }
    }

    /// flock(2), retrying EINTR.
    static func lock(_ fd: Int32, _ operation: Int32, path: String) throws(AuditError) {
        while flock(fd, operation) != 0 {
            let code = errno
            if code == EINTR { continue }
            throw AuditError(call: "flock", path: path, errno: code)
        }
    }

    static func fileStatus(_ fd: Int32, path: String) throws(AuditError) -> stat {
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw AuditError(call: "fstat", path: path, errno: errno) }
        return status
    }

    /// stat(2) of a path; nil when it does not exist.
    static func pathStatus(_ path: String) throws(AuditError) -> stat? {
        var status = stat()
        if stat(path, &status) == 0 { return status }
        let code = errno
        if code == ENOENT { return nil }
        throw AuditError(call: "stat", path: path, errno: code)
    }

    /// Writes all of `bytes` (a short write on a regular file only happens on ENOSPC/EFBIG, which then surfaces).
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(AuditError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            }
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                throw AuditError(call: "write", path: path, errno: code)
            }
            offset += written
        }
    }

    /// Reads from the fd's current offset to end of file.
    static func readToEnd(_ fd: Int32, path: String) throws(AuditError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in read(fd, buffer.baseAddress, buffer.count) }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw AuditError(call: "read", path: path, errno: code)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// The whole file, or nil when it does not exist.
    static func readWhole(_ path: String) throws(AuditError) -> [UInt8]? {
        guard let fd = try openIfPresent(path, O_RDONLY) else { return nil }
        defer { close(fd) }
        return try readToEnd(fd, path: path)
    }

    /// rename(2); a missing source is not an error (that rotation slot was empty).
    static func renameIfPresent(_ from: String, _ to: String) throws(AuditError) {
        if rename(from, to) != 0 {
            let code = errno
            if code == ENOENT { return }
            throw AuditError(call: "rename", path: from + " -> " + to, errno: code)
        }
    }

    static func unlinkIfPresent(_ path: String) throws(AuditError) {
        if unlink(path) != 0 {
            let code = errno
            if code == ENOENT { return }
            throw AuditError(call: "unlink", path: path, errno: code)
        }
    }

    /// mkdir -p: the last component, when missing, is created with `mode`, and every missing one above it with
    /// `parentMode` (an existing directory keeps its own mode). A user's log is in their data directory
    /// (`~/.local/share/taurun`), where their Tau apps' state is too: the runtime reaches an app's rootfs skeleton
    /// there as the app's unprivileged root, so the directories made above the log's are traversable, never listable.
    static func makeDirectories(_ path: String, mode: mode_t, parentMode: mode_t) throws(AuditError) {
        if path.isEmpty { return }
        var prefix = path.hasPrefix("/") ? "/" : ""
        let components = path.split(separator: "/")
        for (index, component) in components.enumerated() {
            prefix += component
            let mode = index == components.count - 1 ? mode : parentMode
            if mkdir(prefix, mode) != 0 {
                let code = errno
                if code != EEXIST { throw AuditError(call: "mkdir", path: prefix, errno: code) }
                // EEXIST is only fine for a directory (or a symlink to one); say so at the component that is not.
                var status = stat()
                if stat(prefix, &status) == 0, status.st_mode & S_IFMT != S_IFDIR {
                    throw AuditError(call: "mkdir", path: prefix, errno: ENOTDIR)
                }
            } else {
                // mkdir applies the umask; the log's directory should be exactly owner rwx, group rx.
                _ = chmod(prefix, mode)
            }
            prefix += "/"
        }
    }

    /// The directory part of a path ("" for a bare file name).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }
}
