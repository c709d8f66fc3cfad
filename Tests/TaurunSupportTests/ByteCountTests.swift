import Testing
import TaurunSupport

/// The one byte-count renderer, both of its renderings.
@Suite struct ByteCountTests {
    @Test(arguments: [
        (Int64(64) << 20, "64M"), (Int64(1) << 30, "1G"), (Int64(1) << 40, "1T"), (Int64(1536) << 20, "1536M"),
        (Int64(512) << 10, "512K"), (Int64(3) << 40, "3T"),
    ])
    func exactlyUsesTheLargestUnitThatDivides(bytes: Int64, text: String) {
        #expect(ByteCount.exactly(bytes) == text)
    }

    @Test func exactlyLeavesWhatNoUnitDividesToTheCaller() {
        #expect(ByteCount.exactly(1000) == nil)
        #expect(ByteCount.exactly((1 << 20) + 1) == nil)
        #expect(ByteCount.exactly(0) == nil)
        #expect(ByteCount.exactly(-1024) == nil)
    }

    @Test(arguments: [
        (Int64(3_250_000), "3.1M"), (Int64(1) << 30, "1G"), (Int64(512) << 10, "512K"), (Int64(900), "900B"),
        (Int64(1535) << 20, "1.5G"), (Int64(1) << 40, "1T"), (Int64(1023), "1023B"), (Int64(2047), "2K"),
    ])
    func roundedSaysAboutHowMuchToOneDecimal(bytes: Int64, text: String) {
        #expect(ByteCount.rounded(bytes) == text)
    }
}
