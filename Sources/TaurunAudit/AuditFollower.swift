// `taurun audit --follow`: the records already in the log, then each record as it is appended, across rotations.
//
// The follower keeps the live file open. When the path starts naming a different inode (the log was rotated), the
// rest of the old file is still readable through that descriptor, so nothing appended just before the rotation is
// lost; then it moves to the new file from its start. A file that shrank in place (copytruncate) is reread from 0.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

public final class AuditFollower {
    private let log: AuditLog
    private var fd: Int32 = -1
    private var device: UInt64 = 0
    private var inode: UInt64 = 0
    private var offset: Int = 0
    /// Bytes after the last newline: a record whose write has not been seen completely yet.
    private var partial: [UInt8] = []
    /// The rotated files' records, handed out by the first poll.
    private var backlog: [AuditEvent]

    /// Reads the rotated files and opens the live one under the log's shared lock, so a rotation cannot slip a file
    /// between the two. A missing log is fine: records show up once it exists.
    public init(log: AuditLog) throws(AuditError) {
        self.log = log
        let lockFD = try? AuditFiles.openIfPresent(log.lockPath, O_RDONLY)
        defer { if let lockFD { AuditFiles.close(lockFD) } }
        if let lockFD { try AuditFiles.lock(lockFD, LOCK_SH, path: log.lockPath) }

        var rotated: [AuditEvent] = []
        for slot in stride(from: log.keep, through: 1, by: -1) {
            if let bytes = try AuditFiles.readFileIfPresent(log.rotatedPath(slot)) { rotated += AuditLog.decode(bytes) }
        }
        backlog = rotated
        try openLiveIfPresent()
    }

    deinit {
        if fd >= 0 { AuditFiles.close(fd) }
    }

    /// Records appended since the last poll (the first poll returns everything already in the log), in file order.
    public func poll() throws(AuditError) -> [AuditEvent] {
        var events = backlog
        backlog = []
        if fd < 0 {
            try openLiveIfPresent()
            if fd < 0 { return events }
        }
        events += try drain()

        guard let current = try AuditFiles.resolvedStatusIfPresent(log.path) else {
            return events  // between a rotation's rename and the next append: keep the old file until a new one appears
        }
        if UInt64(current.st_dev) != device || UInt64(current.st_ino) != inode {
            // Rotated. A record may have landed in the old file between the drain above and the stat; once the
            // path names a new file no taurun writes the old one any more (rotation happens under the log's lock),
            // so one more drain empties it for good. Then continue with the new file.
            events += try drain()
            AuditFiles.close(fd)
            fd = -1
            partial = []
            try openLiveIfPresent()
            if fd >= 0 { events += try drain() }
        }
        return events
    }

    private func openLiveIfPresent() throws(AuditError) {
        guard let opened = try AuditFiles.openIfPresent(log.path, O_RDONLY) else { return }
        let status: stat
        do {
            status = try AuditFiles.status(fd: opened, path: log.path)
        } catch {
            AuditFiles.close(opened)
            throw error
        }
        fd = opened
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        offset = 0
        partial = []
    }

    /// Reads the open file from `offset` to its end and returns the complete records in it.
    private func drain() throws(AuditError) -> [AuditEvent] {
        let size = Int(try AuditFiles.status(fd: fd, path: log.path).st_size)
        if size < offset {
            offset = 0
            partial = []
        }
        try AuditFiles.seek(fd, to: offset, path: log.path)
        let bytes = try AuditFiles.readToEnd(fd, path: log.path)
        offset += bytes.count
        partial += bytes
        guard let lastNewline = partial.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
        let complete = Array(partial[...lastNewline])
        partial.removeSubrange(...lastNewline)
        return AuditLog.decode(complete)
    }
}
