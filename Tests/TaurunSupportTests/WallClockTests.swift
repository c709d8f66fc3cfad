import Testing
@testable import TaurunSupport

@Suite struct WallClockTests {
    @Test func formatsEpochSecondsAsRFC3339UTC() {
        #expect(WallClock.format(seconds: 0, nanoseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(WallClock.format(seconds: 1_795_452_794, nanoseconds: 7_000_000) == "2026-11-23T16:53:14.007Z")
        #expect(WallClock.format(seconds: 951_782_400, nanoseconds: 999_000_000) == "2000-02-29T00:00:00.999Z")
    }

    /// The three precisions the package writes: OCI state's `created` (nanoseconds, as runc), audit records
    /// (milliseconds), `--log` lines (seconds); the fraction is cut, never rounded up into the next second.
    @Test func theFractionHasTheAskedDigits() {
        #expect(WallClock.format(seconds: 1_795_452_794, nanoseconds: 7_000_123, fractionDigits: 9) == "2026-11-23T16:53:14.007000123Z")
        #expect(WallClock.format(seconds: 1_795_452_794, nanoseconds: 999_999_999, fractionDigits: 3) == "2026-11-23T16:53:14.999Z")
        #expect(WallClock.format(seconds: 1_795_452_794, nanoseconds: 999_999_999, fractionDigits: 0) == "2026-11-23T16:53:14Z")
        #expect(WallClock.now(fractionDigits: 9).count == "2026-11-23T16:53:14.007000123Z".count)
    }

    @Test func nowHasTheRFC3339Shape() {
        let now = WallClock.now(fractionDigits: 3)
        #expect(now.count == 24)
        #expect(now.hasSuffix("Z"))
        #expect(WallClock.milliseconds(fromRFC3339: now) != nil)
    }

    @Test func parsesRFC3339WithFractionsAndOffsets() {
        #expect(WallClock.milliseconds(fromRFC3339: "1970-01-01T00:00:00Z") == 0)
        #expect(WallClock.milliseconds(fromRFC3339: "2026-11-23T16:53:14.123Z") == 1_795_452_794_123)
        #expect(WallClock.milliseconds(fromRFC3339: "2026-11-23T16:53:14.1Z") == 1_795_452_794_100)
        #expect(WallClock.milliseconds(fromRFC3339: "2026-11-23T16:53:14.123456789Z") == 1_795_452_794_123)
        #expect(WallClock.milliseconds(fromRFC3339: "2026-11-23T17:53:14+01:00") == 1_795_452_794_000)
        #expect(WallClock.milliseconds(fromRFC3339: "2026-11-23T11:23:14-05:30") == 1_795_452_794_000)
        #expect(WallClock.milliseconds(fromRFC3339: "2026-11-23 16:53:14z") == 1_795_452_794_000)
        #expect(WallClock.milliseconds(fromRFC3339: "2000-02-29T00:00:00Z") == 951_782_400_000)
        #expect(WallClock.milliseconds(fromRFC3339: "1969-12-31T23:59:59Z") == -1000)
    }

    @Test(arguments: [
        "", "2026-11-23", "2026-11-23T16:53:14", "2026-11-23T16:53Z", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
        "2026-11-31T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T16:53:14.Z", "2026-11-23T16:53:14+0100",
        "2026-11-23T16:53:14Zjunk", "yesterday", "10m",
    ])
    func rejectsWhatIsNotRFC3339(_ text: String) {
        #expect(WallClock.milliseconds(fromRFC3339: text) == nil)
    }

    @Test func formattedTimesParseBack() {
        for seconds in [0, 86_399, 951_782_400, 1_795_452_794, 4_102_444_800] {
            let text = WallClock.format(seconds: seconds, nanoseconds: 42_000_000)
            #expect(WallClock.milliseconds(fromRFC3339: text) == Int64(seconds) * 1000 + 42)
        }
    }
}
