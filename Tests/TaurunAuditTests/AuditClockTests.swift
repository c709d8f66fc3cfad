import Testing
@testable import TaurunAudit

@Suite struct AuditClockTests {
    @Test func formatsEpochSecondsAsRFC3339UTC() {
        #expect(AuditClock.format(seconds: 0, milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(AuditClock.format(seconds: 1_795_452_794, milliseconds: 7) == "2026-11-23T16:53:14.007Z")
        #expect(AuditClock.format(seconds: 951_782_400, milliseconds: 999) == "2000-02-29T00:00:00.999Z")
    }

    @Test func nowHasTheRFC3339Shape() {
        let now = AuditClock.now()
        #expect(now.count == 24)
        #expect(now.hasSuffix("Z"))
        #expect(AuditClock.milliseconds(fromRFC3339: now) != nil)
    }

    @Test func parsesRFC3339WithFractionsAndOffsets() {
        #expect(AuditClock.milliseconds(fromRFC3339: "1970-01-01T00:00:00Z") == 0)
        #expect(AuditClock.milliseconds(fromRFC3339: "2026-11-23T16:53:14.123Z") == 1_795_452_794_123)
        #expect(AuditClock.milliseconds(fromRFC3339: "2026-11-23T16:53:14.1Z") == 1_795_452_794_100)
        #expect(AuditClock.milliseconds(fromRFC3339: "2026-11-23T16:53:14.123456789Z") == 1_795_452_794_123)
        #expect(AuditClock.milliseconds(fromRFC3339: "2026-11-23T17:53:14+01:00") == 1_795_452_794_000)
        #expect(AuditClock.milliseconds(fromRFC3339: "2026-11-23T11:23:14-05:30") == 1_795_452_794_000)
        #expect(AuditClock.milliseconds(fromRFC3339: "2026-11-23 16:53:14z") == 1_795_452_794_000)
        #expect(AuditClock.milliseconds(fromRFC3339: "2000-02-29T00:00:00Z") == 951_782_400_000)
        #expect(AuditClock.milliseconds(fromRFC3339: "1969-12-31T23:59:59Z") == -1000)
    }

    @Test(arguments: [
        "", "2026-11-23", "2026-11-23T16:53:14", "2026-11-23T16:53Z", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
        "2026-11-31T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T16:53:14.Z", "2026-11-23T16:53:14+0100",
        "2026-11-23T16:53:14Zjunk", "yesterday", "10m",
    ])
    func rejectsWhatIsNotRFC3339(_ text: String) {
        #expect(AuditClock.milliseconds(fromRFC3339: text) == nil)
    }

    @Test func formattedTimesParseBack() {
        for seconds in [0, 86_399, 951_782_400, 1_795_452_794, 4_102_444_800] {
            let text = AuditClock.format(seconds: seconds, milliseconds: 42)
            #expect(AuditClock.milliseconds(fromRFC3339: text) == Int64(seconds) * 1000 + 42)
        }
    }
}
