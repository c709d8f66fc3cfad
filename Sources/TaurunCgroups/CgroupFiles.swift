import TaurunLinux

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The handful of file operations a cgroup filesystem needs, with errors that name the cgroup file. Everything takes
/// absolute paths; nothing follows a relative path from the process cwd. Cgroup control files are small (a page or
/// two), so reads load the whole file.
enum CgroupFiles {
    static func join(_ dir: String, _ name: String) -> String {
        if dir.hasSuffix("/") { return dir + name }
        return dir + "/" + name
    }

    static func exists(_ path: String) -> Bool {
        Files.exists(path)
    }

    /// Following symlinks: v1 hierarchies such as cpu are links to cpu,cpuacct.
    static func isDirectory(_ path: String) -> Bool {
        Files.isDirectory(path, followingSymlinks: true)
    }

    /// A close-on-exec fd of a cgroup directory or control file (for bpf, eventfd registration, clone3 into it).
    static func openDescriptor(_ path: String, _ flags: Int32) throws(CgroupError) -> Int32 {
        do { return try Files.open(path, flags) } catch { throw .syscall("open", path, errno: error.errno.rawValue) }
    }

    /// Reads a whole control file. The kernel produces these on read, so no size is known in advance.
    static func read(_ path: String) throws(CgroupError) -> String {
        do { return try Files.readString(path) } catch { throw .syscall("read", path, errno: error.errno.rawValue) }
    }

    /// The file's content without surrounding whitespace, or nil if it does not exist.
    static func readTrimmedIfPresent(_ path: String) throws(CgroupError) -> String? {
        do {
            return trimmed(try read(path))
        } catch {
            if error.errno == ENOENT { return nil }
            throw error
        }
    }

    /// Writes one value with a single write(2) (TaurunLinux's Files.writeOnce): cgroupfs parses each write as one
    /// command, so a value must never be split. No O_CREAT: a missing file means a missing controller, which the caller
    /// reports.
    static func write(_ path: String, _ value: String) throws(CgroupError) {
        let bytes = Array(value.utf8)
        let written: Int
        do {
            written = try Files.writeOnce(path, bytes, flags: O_TRUNC)
        } catch {
            throw .syscall("write", path, value: value, errno: error.errno.rawValue)
        }
        if written != bytes.count {
            throw .syscall("write", path, value: value, errno: EIO, reason: "short write of \(written) bytes")
        }
    }

    /// mkdir that treats an existing directory as success (create() is idempotent).
    static func makeDirectory(_ path: String) throws(CgroupError) {
        do { try Files.makeDirectory(path) } catch {
            if error.errno == .fileExists, isDirectory(path) { return }
            throw .syscall("mkdir", path, errno: error.errno.rawValue)
        }
    }

    /// Names of the subdirectories of `path` (child cgroups); empty if it does not exist.
    static func subdirectories(_ path: String) -> [String] {
        Files.entries(path).compactMap { entry in
            switch entry.kind {
            case .directory: entry.name
            case nil: isDirectory(join(path, entry.name)) ? entry.name : nil
            default: nil
            }
        }
    }

    /// Names of the regular entries of `path` (control files).
    static func fileNames(_ path: String) -> [String] {
        Files.entries(path).compactMap { $0.kind == .directory ? nil : $0.name }
    }

    static func trimmed(_ text: String) -> String {
        var scalars = Substring(text)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
