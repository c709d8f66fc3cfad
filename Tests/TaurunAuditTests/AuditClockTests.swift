import Testing
@testable import TaurunAudit

@Suite struct AuditClockTests {
    @Test func formatsEpochSecondsAsRFC3339UTC() {
        #expect(AuditClock.format(seconds: 0, milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(AuditClock.format(seconds: 1_795_452_794, milliseconds: 7) == "2026-11-23T16:53:14.007Z")
    }

    @Test func nowHasTheRFC3339Shape() {
        let now = AuditClock.now()
        #expect(now.count == 24)
        #expect(now.hasSuffix("Z"))
        #expect(now.hasPrefix("20"))
    }
}
