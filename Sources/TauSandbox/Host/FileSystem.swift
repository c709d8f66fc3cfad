#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

func errnoDescription(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "errno \(code)" }
    return String(cString: text)
}

/// The few POSIX file operations convert needs, each turning errno into `SandboxError.io(call:path:errno:)`.
/// Symlinks are never followed where the target could be planted by someone else (lstat, O_NOFOLLOW).
enum FileSystem {
    enum Kind: Equatable {
        case directory, regular, symlink, characterDevice, other
    }

    static func kind(_ path: String) -> Kind? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return kind(mode: info.st_mode)
    }

    /// Like `kind`, but follows symlinks (for host devices such as /dev/dri/by-path/* → ../card0).
    static func resolvedKind(_ path: String) -> Kind? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return kind(mode: info.st_mode)
    }

    private static func kind(mode: mode_t) -> Kind {
        switch mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regular
        case S_IFLNK: return .symlink
        case S_IFCHR: return .characterDevice
        default: return .other
        }
    }

    static func status(_ path: String) throws(SandboxError) -> stat {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw .io(call: "lstat", path: path, errno: errno) }
        return info
    }

    /// The whole file, refused past `limit` bytes. A regular file is read in one call into a buffer of its size (+1
    /// to see the end); /proc files report size 0 and are read in 4 KiB steps. Buffers are not zero-filled first:
    /// a zeroed 64 KiB chunk per read was a measurable part of a convert (it reads a dozen small files).
    static func readFile(_ path: String, limit: Int = 1 << 20) throws(SandboxError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(call: "open", path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        let size = fstat(fd, &info) == 0 && info.st_mode & S_IFMT == S_IFREG ? Int(info.st_size) : 0
        let chunkSize = min(max(size + 1, 4096), limit + 1)
        var result: [UInt8] = []
        while true {
            var failure: Int32 = 0
            let chunk = [UInt8](unsafeUninitializedCapacity: chunkSize) { buffer, initialized in
                var count: Int
                repeat {
                    count = read(fd, buffer.baseAddress, buffer.count)
                } while count < 0 && errno == EINTR
                if count < 0 { failure = errno }
                initialized = max(count, 0)
            }
            if failure != 0 { throw .io(call: "read", path: path, errno: failure) }
            if chunk.isEmpty { break }
            if result.isEmpty { result = chunk } else { result.append(contentsOf: chunk) }
            if result.count > limit { throw .io(call: "read", path: path, errno: EFBIG) }
        }
        return result
    }

    /// Writes a new file (O_EXCL: never through a planted symlink). `durable` fsyncs it: used for the state files
    /// (ids.json, grants), not for bundle files, which convert regenerates byte for byte (fsync costs tens of ms).
    static func createFile(_ path: String, bytes: [UInt8], mode: mode_t = 0o644, durable: Bool = false) throws(SandboxError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw .io(call: "open", path: path, errno: errno) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress?.advanced(by: offset), $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw .io(call: "write", path: path, errno: errno)
            }
            offset += written
        }
        if durable {
            guard fsync(fd) == 0 else { throw .io(call: "fsync", path: path, errno: errno) }
        }
    }

    /// Replaces `path` atomically: write (and, if `durable`, fsync) `path.tmp`, then rename over it.
    static func replaceFile(_ path: String, bytes: [UInt8], mode: mode_t = 0o644, durable: Bool = true) throws(SandboxError) {
        let temporary = path + ".tmp"
        if unlink(temporary) != 0 && errno != ENOENT { throw .io(call: "unlink", path: temporary, errno: errno) }
        try createFile(temporary, bytes: bytes, mode: mode, durable: durable)
        try rename(temporary, to: path)
    }

    static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws(SandboxError) {
        guard mkdir(path, mode) == 0 else { throw .io(call: "mkdir", path: path, errno: errno) }
        // mkdir's mode is filtered by the umask; the sandbox layout needs exact modes.
        guard chmod(path, mode) == 0 else { throw .io(call: "chmod", path: path, errno: errno) }
    }

    /// mkdir -p with `mode` for each created directory; existing directories are left as they are.
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(SandboxError) {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            switch kind(current) {
            case .directory: continue
            case nil: try makeDirectory(current, mode: mode)
            case .symlink where resolvedKind(current) == .directory: continue
            default: throw .io(call: "mkdir", path: current, errno: ENOTDIR)
            }
        }
    }

    static func makeSymlink(_ path: String, target: String) throws(SandboxError) {
        guard symlink(target, path) == 0 else { throw .io(call: "symlink", path: path, errno: errno) }
    }

    static func readLink(_ path: String) throws(SandboxError) -> String {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink(path, &buffer, 4096)
        guard count >= 0 else { throw .io(call: "readlink", path: path, errno: errno) }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func rename(_ from: String, to: String) throws(SandboxError) {
        guard Glibc.rename(from, to) == 0 else { throw .io(call: "rename", path: "\(from) -> \(to)", errno: errno) }
    }

    static func changeOwner(_ path: String, uid: UInt32, gid: UInt32) throws(SandboxError) {
        guard lchown(path, uid, gid) == 0 else { throw .io(call: "chown", path: path, errno: errno) }
    }

    static func changeMode(_ path: String, _ mode: mode_t) throws(SandboxError) {
        guard chmod(path, mode) == 0 else { throw .io(call: "chmod", path: path, errno: errno) }
    }

    /// Sorted names in a directory, without . and ..
    static func list(_ path: String) throws(SandboxError) -> [String] {
        guard let directory = opendir(path) else { throw .io(call: "opendir", path: path, errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// rm -rf without following symlinks. Refuses to cross into another filesystem (a mount inside a bundle would
    /// otherwise be emptied).
    static func removeTree(_ path: String) throws(SandboxError) {
        let info = try status(path)
        if info.st_mode & S_IFMT != S_IFDIR {
            guard unlink(path) == 0 else { throw .io(call: "unlink", path: path, errno: errno) }
            return
        }
        for name in try list(path) {
            let child = path + "/" + name
            let childInfo = try status(child)
            if childInfo.st_mode & S_IFMT == S_IFDIR && childInfo.st_dev != info.st_dev {
                throw .io(call: "rmdir", path: child, errno: EBUSY)
            }
            try removeTree(child)
        }
        guard rmdir(path) == 0 else { throw .io(call: "rmdir", path: path, errno: errno) }
    }

    static func realPath(_ path: String) throws(SandboxError) -> String {
        guard let resolved = realpath(path, nil) else { throw .io(call: "realpath", path: path, errno: errno) }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func currentDirectory() throws(SandboxError) -> String {
        guard let cwd = getcwd(nil, 0) else { throw .io(call: "getcwd", path: ".", errno: errno) }
        defer { free(cwd) }
        return String(cString: cwd)
    }

    /// `path` made absolute against the current directory (lexically; no symlink resolution).
    /// `path` made absolute against `base`, with ".", ".." and repeated slashes resolved lexically (no symlinks).
    /// Byte-wise: split/joined over Substrings costs generic metadata on first use, a measurable part of a convert.
    static func absolute(_ path: String, relativeTo base: String) -> String {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        let bytes = path.hasPrefix("/") ? Array(path.utf8) : Array(base.utf8) + [slash] + Array(path.utf8)
        var result: [UInt8] = []
        var componentStarts: [Int] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == slash {
                index += 1
                continue
            }
            var end = index
            while end < bytes.count && bytes[end] != slash { end += 1 }
            let length = end - index
            if length == 2 && bytes[index] == dot && bytes[index + 1] == dot {
                if let start = componentStarts.popLast() { result.removeSubrange(start...) }
            } else if !(length == 1 && bytes[index] == dot) {
                componentStarts.append(result.count)
                result.append(slash)
                result.append(contentsOf: bytes[index..<end])
            }
            index = end
        }
        return result.isEmpty ? "/" : String(decoding: result, as: UTF8.self)
    }

    static func directoryName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    static func baseName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
