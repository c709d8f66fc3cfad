import Testing
@testable import TaurunRuntime

/// Issue 14, item 11: the monitor's memory and its share of the audit log are bounded whatever the app does.
@Suite struct ViolationRecorderTests {
    @Test func aRepeatedCallIsRecordedOnce() {
        var recorder = ViolationRecorder()
        #expect(recorder.decide(key: "socket 2", now: 0) == .record(suppressedBefore: 0))
        for i in 1...1000 { #expect(recorder.decide(key: "socket 2", now: Double(i) / 1000) == .repeated) }
    }

    @Test func aStormOfDistinctCallsIsRateLimitedAndCounted() {
        var recorder = ViolationRecorder(maxShapes: 512, burst: 20, perSecond: 2)
        var written = 0
        for i in 0..<10_000 {
            if case .record = recorder.decide(key: "socket \(i)", now: 0) { written += 1 }
        }
        #expect(written == 20)
        #expect(recorder.suppressed == 9_980)
        // Recording resumes at the sustained rate, and the first record after the pause reports what was held back.
        #expect(recorder.decide(key: "socket -1", now: 1) == .record(suppressedBefore: 9_980))
        #expect(recorder.takeSuppressed() == 0)
    }

    @Test func memoryStaysBoundedByMaxShapes() {
        var recorder = ViolationRecorder(maxShapes: 8, burst: 1_000_000, perSecond: 1)
        for i in 0..<100 { _ = recorder.decide(key: "openat \(i)", now: 0) }
        // Past the cap a shape is not remembered: it is recorded again (rate-limited), never stored.
        #expect(recorder.decide(key: "openat 99", now: 0) == .record(suppressedBefore: 0))
        #expect(recorder.decide(key: "openat 0", now: 0) == .repeated)
    }
}
