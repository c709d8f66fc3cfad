import Testing
@testable import TaurunAudit

@Suite struct AuditFollowerTests {
    static func event(_ n: Int) -> AuditEvent {
        AuditEvent(event: .start, app: "org.tauos.f", container: "c\(n)", message: "record \(n)", time: "2026-11-23T16:53:14.123Z")
    }

    @Test func firstPollReturnsTheExistingLogThenOnlyNewRecords() throws {
        let tmp = TemporaryDirectory()
        let log = AuditLog(path: tmp.path + "/audit.jsonl")
        try log.append(Self.event(1))
        try log.append(Self.event(2))
        let follower = try AuditFollower(log: log)
        #expect(try follower.poll() == [Self.event(1), Self.event(2)])
        #expect(try follower.poll().isEmpty)
        try log.append(Self.event(3))
        #expect(try follower.poll() == [Self.event(3)])
        #expect(try follower.poll().isEmpty)
    }

    @Test func startsBeforeTheLogExists() throws {
        let tmp = TemporaryDirectory()
        let log = AuditLog(path: tmp.path + "/later/audit.jsonl")
        let follower = try AuditFollower(log: log)
        #expect(try follower.poll().isEmpty)
        try log.append(Self.event(1))
        #expect(try follower.poll() == [Self.event(1)])
    }

    @Test func aHalfWrittenLineWaitsForItsNewline() throws {
        let tmp = TemporaryDirectory()
        let log = AuditLog(path: tmp.path + "/audit.jsonl")
        try log.append(Self.event(1))
        let follower = try AuditFollower(log: log)
        #expect(try follower.poll() == [Self.event(1)])
        let line = Self.event(2).jsonLine()
        let cut = line.index(line.startIndex, offsetBy: 20)
        TemporaryDirectory.appendRaw(log.path, String(line[..<cut]))
        #expect(try follower.poll().isEmpty)
        TemporaryDirectory.appendRaw(log.path, String(line[cut...]))
        #expect(try follower.poll() == [Self.event(2)])
    }

    @Test func followsAcrossRotationWithoutLosingTheTailOfTheOldFile() throws {
        let tmp = TemporaryDirectory()
        let lineLength = Self.event(10).jsonLine().utf8.count
        let log = AuditLog(path: tmp.path + "/audit.jsonl", maxBytes: lineLength * 3, keep: 3)
        for n in 10..<15 { try log.append(Self.event(n)) }  // .1 holds 10-12, live holds 13-14
        let follower = try AuditFollower(log: log)
        #expect(try follower.poll() == (10..<15).map { Self.event($0) })
        try log.append(Self.event(15))  // fills the live file
        try log.append(Self.event(16))  // rotates: 13-15 move to .1, 16 starts a new live file
        try log.append(Self.event(17))
        #expect(try follower.poll() == [Self.event(15), Self.event(16), Self.event(17)])
        try log.append(Self.event(18))
        #expect(try follower.poll() == [Self.event(18)])
    }

    @Test func aFileTruncatedInPlaceIsReadFromItsStart() throws {
        let tmp = TemporaryDirectory()
        let log = AuditLog(path: tmp.path + "/audit.jsonl")
        try log.append(Self.event(1))
        try log.append(Self.event(2))
        let follower = try AuditFollower(log: log)
        #expect(try follower.poll().count == 2)
        #expect(truncate(log.path, 0) == 0)
        try log.append(Self.event(3))
        #expect(try follower.poll() == [Self.event(3)])
    }
}

#if canImport(Glibc)
import Glibc
#endif
