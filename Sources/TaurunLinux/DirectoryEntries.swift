#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

import TaurunSupport

/// One entry of a directory listing, with the type readdir(3) reports for it (d_type): nil where the filesystem
/// does not say (DT_UNKNOWN), so the caller stats only those. cgroupfs and procfs always say.
public struct DirectoryEntry: Equatable, Sendable {
    public let name: String
    public let kind: FileKind?
}

extension Files {
    /// The entries of `path` without "." and "..", unsorted; empty when it cannot be opened (gone, not a directory).
    public static func entries(_ path: String) -> [DirectoryEntry] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        return entries(of: directory)
    }

    private static func entries(of directory: OpaquePointer) -> [DirectoryEntry] {
        var entries: [DirectoryEntry] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            entries.append(DirectoryEntry(name: name, kind: kind(ofDirectoryEntryType: entry.pointee.d_type)))
        }
        return entries
    }

    /// The entries of the open directory `directory` without "." and "..", unsorted. Read through a duplicate of the
    /// fd (closed here), so `directory` stays open for the caller's *at calls; the duplicate shares its offset, so an
    /// fd is listed once. `display` names it in errors.
    public static func entries(ofDirectory directory: Int32, display: String) throws(SyscallError) -> [DirectoryEntry] {
        let listFD = try duplicate(directory, display: display)
        guard let stream = fdopendir(listFD) else {
            let error = SyscallError("fdopendir", display)
            close(listFD)
            throw error
        }
        defer { closedir(stream) }
        return entries(of: stream)
    }

    /// mkdir(2) of one directory (no parents, mode as given less the umask).
    public static func makeDirectory(_ path: String, mode: UInt32 = 0o755) throws(SyscallError) {
        _ = try sys("mkdir", path) { mkdir(path, mode_t(mode)) }
    }

    /// mkdtemp(3): a new directory `<parent>/<prefix>XXXXXX` (six random characters, made with O_EXCL semantics,
    /// mode 0700), for scratch space in a directory others may write (/tmp). Returns its path.
    public static func makeTemporaryDirectory(in parent: String, prefix: String) throws(SyscallError) -> String {
        var template = Array((parent + "/" + prefix + "XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw SyscallError("mkdtemp", parent) }
        return String(cString: made)
    }

    /// rmdir(2).
    public static func removeDirectory(_ path: String) throws(SyscallError) {
        _ = try sys("rmdir", path) { rmdir(path) }
    }

    private static func kind(ofDirectoryEntryType type: UInt8) -> FileKind? {
        switch Int32(type) {
        case Int32(DT_DIR): .directory
        case Int32(DT_REG): .regular
        case Int32(DT_LNK): .symlink
        case Int32(DT_CHR): .characterDevice
        case Int32(DT_BLK): .blockDevice
        case Int32(DT_FIFO): .fifo
        case Int32(DT_SOCK): .socket
        default: nil
        }
    }
}
