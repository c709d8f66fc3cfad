// The audit log file: append one record per call, rotate by size, read everything back in order.
//
// Several taurun processes append at once (create, kill, the security monitor), so every append holds an exclusive
// flock on `<path>.lock` across the size check, the rotation and the single write(2). The lock lives in its own file
// because rotation renames the log itself out from under any lock taken on it.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import TaurunSupport

public struct AuditLog: Sendable {
    public static let defaultPath = "/var/log/taurun/audit.jsonl"

    public let path: String
    /// The live file is rotated before an append would take it past this size.
    public let maxBytes: Int
    /// How many rotated files (`path.1` newest … `path.keep` oldest) are kept.
    public let keep: Int

    public init(path: String, maxBytes: Int = 8 << 20, keep: Int = 4) {
        self.path = path
        self.maxBytes = max(1, maxBytes)
        self.keep = max(0, keep)
    }

    var lockPath: String { path + ".lock" }

    /// `path.n` for rotation slot n (1 is the newest rotated file).
    func rotatedPath(_ slot: Int) -> String { path + "." + String(slot) }

    /// Appends one JSON line. Creates the directory (0750) and file (0640) if missing. Rotation: when the file
    /// would exceed maxBytes, audit.jsonl -> audit.jsonl.1 -> ... -> .keep (oldest dropped), under an flock so
    /// concurrent taurun processes neither lose nor interleave records (one write(2) per record, O_APPEND).
    public func append(_ event: AuditEvent) throws(AuditError) {
        let line = Array(event.jsonLine().utf8)
        try checkDirectory()
        let lockFD = try openLock()
        defer { AuditFiles.close(lockFD) }  // closing drops the flock
        try checkDirectory()  // again: openLock may have just made it, or someone else may have made it first
        try AuditFiles.lock(lockFD, LOCK_EX, path: lockPath)

        let fd = try openLiveWithRoom(for: line.count)
        defer { AuditFiles.close(fd) }
        try AuditFiles.writeAll(fd, line, path: path)
    }

    /// The lock file, opened (and created) for flock. The directories are made only when it is missing: every
    /// create, start and delete appends, and a mkdir per path component each time showed in `run`'s profile.
    private func openLock() throws(AuditError) -> Int32 {
        do {
            return try AuditFiles.open(lockPath, O_RDWR | O_CREAT, mode: 0o640)
        } catch {
            // ENOTDIR too, so the error names the path component that is not a directory.
            guard error.errno == ENOENT || error.errno == ENOTDIR else { throw error }
        }
        try AuditFiles.makeDirectories(LexicalPath.directoryName(path), mode: 0o750, parentMode: 0o711)
        return try AuditFiles.open(lockPath, O_RDWR | O_CREAT, mode: 0o640)
    }

    /// The log's directory decides who can plant or replace its files (a symlink named audit.jsonl.lock, forged
    /// records): it must be a real directory (not a symlink), owned by the caller or root, writable by nobody else.
    /// A directory that does not exist yet is fine: append makes it 0750.
    func checkDirectory() throws(AuditError) {
        let directory = LexicalPath.directoryName(path)
        let status: stat
        do {
            status = try FileIO<AuditError>.status(directory)
        } catch where error.errno == ENOENT {
            return
        }
        // Not a directory at all: the open below fails with ENOTDIR, naming it, as it always has.
        let kind = FileKind(mode: UInt32(status.st_mode))
        if kind != .directory && kind != .symlink { return }
        if let problem = PrivateDirectory.problem(mode: UInt32(status.st_mode), owner: status.st_uid, euid: ProcessIdentity.effectiveUID) {
            throw AuditError(refusing: directory, reason: problem)
        }
    }

    /// Records from the rotated files oldest first, then the live file; malformed lines are skipped, not fatal.
    /// A missing log is an empty one.
    public func read() throws(AuditError) -> [AuditEvent] {
        // A shared lock keeps a concurrent rotation from moving records between the files while they are read. A reader
        // that cannot open the lock file (none yet, or an admin without read access to it) reads without it.
        try checkDirectory()
        let lockFD = try? AuditFiles.openIfPresent(lockPath, O_RDONLY)
        defer { if let lockFD { AuditFiles.close(lockFD) } }
        if let lockFD { try AuditFiles.lock(lockFD, LOCK_SH, path: lockPath) }

        var events: [AuditEvent] = []
        for slot in stride(from: keep, through: 1, by: -1) {
            if let bytes = try AuditFiles.readFileIfPresent(rotatedPath(slot)) { events += AuditLog.decode(bytes) }
        }
        if let bytes = try AuditFiles.readFileIfPresent(path) { events += AuditLog.decode(bytes) }
        return events
    }

    /// Every well-formed record in a run of JSON lines; blank, torn or foreign lines are skipped.
    public static func decode(_ bytes: [UInt8]) -> [AuditEvent] {
        var events: [AuditEvent] = []
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            guard let value = try? JSONParser.parse(Array(line)) else { continue }
            if let event = try? decodeJSONValue(AuditEvent.self, from: value) { events.append(event) }
        }
        return events
    }

    /// The live file, opened for appending after rotating it if `count` more bytes would take it past maxBytes
    /// (a non-empty file only: a record larger than the cap still gets a file of its own). Caller holds the lock.
    private func openLiveWithRoom(for count: Int) throws(AuditError) -> Int32 {
        let fd = try openLive()
        let size: Int
        do {
            size = Int(try AuditFiles.status(fd: fd, path: path).st_size)
        } catch {
            AuditFiles.close(fd)
            throw error
        }
        guard size > 0 && size + count > maxBytes else { return fd }
        AuditFiles.close(fd)
        try rotate()
        return try openLive()
    }

    /// Opens the live file for appending; a file this call creates gets mode 0640 whatever the umask.
    private func openLive() throws(AuditError) -> Int32 {
        if let fd = try AuditFiles.openIfPresent(path, O_WRONLY | O_APPEND) { return fd }
        // Under the exclusive lock no other taurun creates it in between; O_EXCL makes that an error, not a surprise.
        let fd = try AuditFiles.open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL, mode: 0o640)
        AuditFiles.changeMode(fd: fd, 0o640)
        return fd
    }

    /// audit.jsonl -> .1 -> .2 ... -> .keep; the oldest is dropped. With keep 0 the live file is simply dropped.
    private func rotate() throws(AuditError) {
        guard keep > 0 else {
            try AuditFiles.unlinkIfPresent(path)
            return
        }
        try AuditFiles.unlinkIfPresent(rotatedPath(keep))
        for slot in stride(from: keep - 1, through: 1, by: -1) {
            try AuditFiles.renameIfPresent(rotatedPath(slot), to: rotatedPath(slot + 1))
        }
        try AuditFiles.renameIfPresent(path, to: rotatedPath(1))
    }
}
