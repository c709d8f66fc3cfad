import FoundationEssentials
import Testing
@testable import TaurunAudit
import TaurunSupport

@Suite struct AuditEventTests {
    static let violation = AuditEvent(
        event: .violation, app: "org.tauos.media", container: "media-1", pid: 4242, permission: "network",
        syscall: "socket", args: [2, 1, 0, 0, 0, 0], action: "terminated",
        message: "org.tauos.media terminated: socket(AF_INET, SOCK_STREAM) needs permission \"network\", which is not granted",
        time: "2026-11-23T16:53:14.123Z")

    @Test func jsonLineHasFixedFieldOrderAndOneTrailingNewline() {
        #expect(Self.violation.jsonLine() == """
            {"time":"2026-11-23T16:53:14.123Z","event":"violation","app":"org.tauos.media","container":"media-1",\
            "pid":4242,"permission":"network","syscall":"socket","args":[2,1,0,0,0,0],"action":"terminated",\
            "message":"org.tauos.media terminated: socket(AF_INET, SOCK_STREAM) needs permission \\"network\\", which is not granted"}

            """)
    }

    @Test func absentFieldsAreLeftOut() {
        let event = AuditEvent(event: .create, app: nil, container: "c1", message: "container c1 created", time: "2026-11-23T16:00:00.000Z")
        #expect(event.jsonLine() == "{\"time\":\"2026-11-23T16:00:00.000Z\",\"event\":\"create\",\"container\":\"c1\",\"message\":\"container c1 created\"}\n")
    }

    @Test func jsonLineRoundTripsThroughJSONDecoder() throws {
        let decoded = try JSONDecoder().decode(AuditEvent.self, from: Data(Self.violation.jsonLine().utf8))
        #expect(decoded == Self.violation)
    }

    @Test func awkwardTextRoundTripsAndStaysOnOneLine() throws {
        let event = AuditEvent(
            event: .policyDenial, app: "org.evil\"\\\n\u{1}\u{7f}é☃", container: nil, action: "denied",
            message: "line one\nline two\ttab \u{1b}[31m", time: "2026-11-23T16:00:00.000Z")
        let line = event.jsonLine()
        #expect(line.filter { $0 == "\n" }.count == 1)
        #expect(line.hasSuffix("}\n"))
        // Control characters are escaped (DEL is not a control character to a terminal; like Go, left as it is).
        #expect(line.contains("\\u0001") && line.contains("\\u001b"))
        let decoded = try JSONDecoder().decode(AuditEvent.self, from: Data(line.utf8))
        #expect(decoded == event)
    }

    @Test func everyEventKindRoundTripsWithItsRawValue() throws {
        for kind in AuditEventKind.allCases {
            let event = AuditEvent(event: kind, app: "a", container: "c", message: "m", time: "2026-11-23T16:00:00.000Z")
            #expect(event.jsonLine().contains("\"event\":\"\(kind.rawValue)\""))
            #expect(try JSONDecoder().decode(AuditEvent.self, from: Data(event.jsonLine().utf8)) == event)
        }
        #expect(AuditEventKind.policyDenial.rawValue == "policy-denial")
        #expect(AuditEventKind.lsmSkipped.rawValue == "lsm-skipped")
    }

    @Test func decodeSkipsBlankTornAndForeignLines() {
        let good = Self.violation.jsonLine()
        let text = good + "\n" + "{\"time\":\"x\",\"event\":\"create\"" + "\n" + "not json at all\n"
            + "{\"time\":\"2026-11-23T16:00:00.000Z\",\"event\":\"launch\",\"message\":\"unknown kind\"}\n" + good
            + "{\"time\":\"2026-11-23T16:00:01.000Z\",\"event\":\"start\",\"message\":\"extra field\",\"future\":1}\n"
        let events = AuditLog.decode(Array(text.utf8))
        #expect(events.count == 3)
        #expect(events[0] == Self.violation && events[1] == Self.violation)
        #expect(events[2].event == .start && events[2].message == "extra field")
    }

    @Test func initDefaultsTimeToNow() throws {
        let before = WallClock.nowMilliseconds()
        let event = AuditEvent(event: .start, app: nil, container: "c", message: "started")
        let after = WallClock.nowMilliseconds()
        let stamped = try #require(WallClock.milliseconds(fromRFC3339: event.time))
        #expect(stamped >= before - 1 && stamped <= after + 1)
    }
}
