#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import TaurunAudit
import TaurunSupport

@Suite struct AuditLogTests {
    static func event(_ n: Int, writer: Int = 0, padding: Int = 0) -> AuditEvent {
        AuditEvent(
            event: .kill, app: "org.tauos.w\(writer)", container: "c\(n)", pid: Int32(n), action: "SIGTERM",
            message: "record \(n) from writer \(writer)" + String(repeating: "x", count: padding),
            time: "2026-11-23T16:53:14.123Z")
    }

    @Test func appendCreatesDirectoryAndFileThenReadsBackInOrder() throws {
        let tmp = TemporaryDirectory()
        let log = AuditLog(path: tmp.path + "/log/taurun/audit.jsonl")
        for n in 0..<5 { try log.append(Self.event(n)) }
        #expect(try log.read() == (0..<5).map { Self.event($0) })
        // The log's own directory is closed to others; those made above it only traversable (a user's data
        // directory, where the runtime reaches their Tau apps' rootfs skeletons as the apps' unprivileged roots).
        #expect(TemporaryDirectory.mode(tmp.path + "/log") == 0o711)
        #expect(TemporaryDirectory.mode(tmp.path + "/log/taurun") == 0o750)
        #expect(TemporaryDirectory.mode(log.path) == 0o640)
        let text = try #require(TemporaryDirectory.readText(log.path))
        #expect(text == (0..<5).map { Self.event($0).jsonLine() }.joined())
    }

    @Test func aMissingLogReadsAsEmpty() throws {
        let tmp = TemporaryDirectory()
        #expect(try AuditLog(path: tmp.path + "/nothing/here.jsonl").read().isEmpty)
    }

    @Test func readSkipsMalformedLinesBetweenGoodOnes() throws {
        let tmp = TemporaryDirectory()
        let log = AuditLog(path: tmp.path + "/audit.jsonl")
        try log.append(Self.event(1))
        TemporaryDirectory.appendRaw(log.path, "{\"half\":\n\n garbage\n")
        try log.append(Self.event(2))
        #expect(try log.read() == [Self.event(1), Self.event(2)])
    }

    @Test func appendFailureNamesCallPathAndErrno() throws {
        let tmp = TemporaryDirectory()
        TemporaryDirectory.appendRaw(tmp.path + "/file", "not a directory")
        let log = AuditLog(path: tmp.path + "/file/audit.jsonl")
        let error = try #require(throws: AuditError.self) { try log.append(Self.event(0)) }
        #expect(error.call == "mkdir")
        #expect(error.errno == ENOTDIR)
        #expect(error.description == "audit log: mkdir \(tmp.path)/file: not a directory")
    }

    @Test func rotationKeepsTheNewestFilesWithinTheSizeCapAndLosesNothingNewer() throws {
        let tmp = TemporaryDirectory()
        let lineLength = Self.event(10).jsonLine().utf8.count
        let maxBytes = lineLength * 3 + lineLength / 2  // three records per file
        let log = AuditLog(path: tmp.path + "/audit.jsonl", maxBytes: maxBytes, keep: 2)
        for n in 10..<40 { try log.append(Self.event(n)) }

        #expect(TemporaryDirectory.list(tmp.path) == ["audit.jsonl", "audit.jsonl.1", "audit.jsonl.2", "audit.jsonl.lock"])
        for name in ["audit.jsonl", "audit.jsonl.1", "audit.jsonl.2"] {
            let size = try #require(TemporaryDirectory.fileSize(tmp.path + "/" + name))
            #expect(size <= maxBytes)
        }
        // 30 records, three per file: the live file and two rotated ones hold the newest nine, oldest first.
        #expect(try log.read() == (31..<40).map { Self.event($0) })
        #expect(TemporaryDirectory.readText(tmp.path + "/audit.jsonl.2") == (31..<34).map { Self.event($0).jsonLine() }.joined())
    }

    @Test func aRecordLargerThanTheCapStillGetsWritten() throws {
        let tmp = TemporaryDirectory()
        let log = AuditLog(path: tmp.path + "/audit.jsonl", maxBytes: 64, keep: 1)
        try log.append(Self.event(1, padding: 200))
        try log.append(Self.event(2, padding: 200))
        #expect(try log.read() == [Self.event(1, padding: 200), Self.event(2, padding: 200)])
        try log.append(Self.event(3, padding: 200))
        #expect(try log.read() == [Self.event(2, padding: 200), Self.event(3, padding: 200)])
    }

    @Test func keepZeroDropsTheFullFile() throws {
        let tmp = TemporaryDirectory()
        let lineLength = Self.event(1).jsonLine().utf8.count
        let log = AuditLog(path: tmp.path + "/audit.jsonl", maxBytes: lineLength * 2, keep: 0)
        for n in 1...5 { try log.append(Self.event(n)) }
        #expect(try log.read() == [Self.event(5)])
        #expect(TemporaryDirectory.list(tmp.path) == ["audit.jsonl", "audit.jsonl.lock"])
    }

    /// Forks `writers` processes that each append `perWriter` records, and waits for them (failing after 60 s rather
    /// than hanging the suite).
    static func appendConcurrently(_ log: AuditLog, writers: Int, perWriter: Int, padding: Int) throws {
        // Only the forking thread survives in a child. Building a record once here first means the child needs no
        // lazily created runtime state another test thread might have been holding a lock on at fork time.
        _ = event(0, writer: 0, padding: padding).jsonLine()
        var children: [pid_t] = []
        for writer in 0..<writers {
            let pid = fork()
            try #require(pid >= 0, "fork: errno \(errno)")
            if pid == 0 {
                var status: Int32 = 0
                for n in 0..<perWriter {
                    do { try log.append(event(n, writer: writer, padding: padding)) } catch { status = 1 }
                }
                _exit(status)
            }
            children.append(pid)
        }
        let deadline = WallClock.nowMilliseconds() + 60_000
        var remaining = Set(children)
        while !remaining.isEmpty {
            for pid in remaining {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid {
                    remaining.remove(pid)
                    #expect(status == 0, "writer \(pid) exited with wait status \(status)")
                }
            }
            if WallClock.nowMilliseconds() > deadline {
                for pid in remaining { kill(pid, SIGKILL); waitpid(pid, nil, 0) }
                Issue.record("writers did not finish within 60 s")
                return
            }
            usleep(10_000)
        }
    }

    @Test func concurrentWritersNeitherLoseNorInterleaveRecords() throws {
        let tmp = TemporaryDirectory()
        let log = AuditLog(path: tmp.path + "/audit.jsonl")
        // Records of ~5 KiB: larger than a pipe's atomic-write size, so torn or interleaved writes would show.
        try Self.appendConcurrently(log, writers: 4, perWriter: 100, padding: 5000)

        let text = try #require(TemporaryDirectory.readText(log.path))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 401 && lines.last == "")
        let events = try log.read()
        #expect(events.count == 400)
        for writer in 0..<4 {
            // Each writer's records appear complete and in its own order.
            // (Compared by pid first so a failure prints numbers, not 5 KiB messages.)
            let mine = events.filter { $0.app == "org.tauos.w\(writer)" }
            #expect(mine.map { $0.pid ?? -1 } == (0..<100).map { Int32($0) })
            #expect(mine == (0..<100).map { Self.event($0, writer: writer, padding: 5000) }, "writer \(writer)'s records differ")
        }
    }

    @Test func concurrentWritersAcrossRotationsLoseNothingWhileFilesAreKept() throws {
        let tmp = TemporaryDirectory()
        let lineLength = Self.event(0, writer: 0, padding: 1000).jsonLine().utf8.count
        // About ten records per file and room for all of them: every rotation must move records, never drop them.
        let log = AuditLog(path: tmp.path + "/audit.jsonl", maxBytes: lineLength * 10, keep: 100)
        try Self.appendConcurrently(log, writers: 3, perWriter: 80, padding: 1000)

        let events = try log.read()
        #expect(events.count == 240)
        for writer in 0..<3 {
            let mine = events.filter { $0.app == "org.tauos.w\(writer)" }
            #expect(mine.map { $0.pid ?? -1 } == (0..<80).map { Int32($0) })
            #expect(mine == (0..<80).map { Self.event($0, writer: writer, padding: 1000) }, "writer \(writer)'s records differ")
        }
        let files = TemporaryDirectory.list(tmp.path).filter { $0 != "audit.jsonl.lock" }
        #expect(files.count >= 24)
        for name in files {
            let size = try #require(TemporaryDirectory.fileSize(tmp.path + "/" + name))
            #expect(size <= lineLength * 10)
        }
    }
}

/// The log's directory must be the caller's (or root's) alone: a symlink or a directory others can write is refused.
@Suite struct AuditLogDirectoryTests {
    @Test func unsafeDirectoriesAreRefusedWithAReason() {
        #expect(PrivateDirectory.problem(mode: 0o040750, owner: 0, euid: 0) == nil)
        #expect(PrivateDirectory.problem(mode: 0o040700, owner: 1000, euid: 1000) == nil)
        #expect(PrivateDirectory.problem(mode: 0o120777, owner: 0, euid: 0) == "is a symlink")
        #expect(PrivateDirectory.problem(mode: 0o100600, owner: 0, euid: 0) == "is not a directory")
        #expect(PrivateDirectory.problem(mode: 0o040755, owner: 65534, euid: 0)?.contains("uid 65534") == true)
        #expect(PrivateDirectory.problem(mode: 0o041777, owner: 0, euid: 0)?.contains("writable") == true)
        #expect(PrivateDirectory.problem(mode: 0o040770, owner: 0, euid: 0)?.contains("writable") == true)
    }

    @Test func aSymlinkedDirectoryIsNeitherWrittenNorRead() throws {
        let tmp = TemporaryDirectory()
        #expect(mkdir(tmp.path + "/real", 0o750) == 0)
        #expect(symlink(tmp.path + "/real", tmp.path + "/link") == 0)
        let log = AuditLog(path: tmp.path + "/link/audit.jsonl")
        #expect(throws: AuditError.self) { try log.append(AuditLogTests.event(1)) }
        #expect(throws: AuditError.self) { try log.read() }
        #expect(TemporaryDirectory.list(tmp.path + "/real").isEmpty)
        do { try log.append(AuditLogTests.event(1)) } catch {
            #expect(error.description.contains("is a symlink") && error.errno == EPERM)
        }
    }
}
