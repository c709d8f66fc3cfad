import Testing
@testable import TaurunAudit

@Suite struct AuditQueryTests {
    static let now: Int64 = 1_795_452_794_123  // 2026-11-23T16:53:14.123Z

    @Test func sinceAcceptsDurationsAgo() {
        #expect(AuditQuery.parseSince("30s", nowMilliseconds: Self.now) == Self.now - 30_000)
        #expect(AuditQuery.parseSince("10m", nowMilliseconds: Self.now) == Self.now - 600_000)
        #expect(AuditQuery.parseSince("2h", nowMilliseconds: Self.now) == Self.now - 7_200_000)
        #expect(AuditQuery.parseSince("1d", nowMilliseconds: Self.now) == Self.now - 86_400_000)
        #expect(AuditQuery.parseSince("1h30m", nowMilliseconds: Self.now) == Self.now - 5_400_000)
        #expect(AuditQuery.parseSince("0s", nowMilliseconds: Self.now) == Self.now)
    }

    @Test func sinceAcceptsRFC3339() {
        #expect(AuditQuery.parseSince("2026-11-23T16:00:00Z", nowMilliseconds: Self.now) == 1_795_449_600_000)
    }

    @Test(arguments: ["", "10", "m", "10x", "-5m", "1.5h", "10 m", "yesterday", "99999999999999999999s", "2026-11-23"])
    func sinceRejectsEverythingElse(_ text: String) {
        #expect(AuditQuery.parseSince(text, nowMilliseconds: Self.now) == nil)
    }

    static func event(app: String?, container: String?, time: String) -> AuditEvent {
        AuditEvent(event: .start, app: app, container: container, message: "m", time: time)
    }

    @Test func filtersByAppContainerAndTime() {
        let query = AuditQuery(app: "org.tauos.media", container: nil, sinceMilliseconds: 1_795_449_600_000)
        #expect(query.matches(Self.event(app: "org.tauos.media", container: "a", time: "2026-11-23T16:00:00.000Z")))
        #expect(!query.matches(Self.event(app: "org.tauos.media", container: "a", time: "2026-11-23T15:59:59.999Z")))
        #expect(!query.matches(Self.event(app: "org.tauos.hello", container: "a", time: "2026-11-23T17:00:00.000Z")))
        #expect(!query.matches(Self.event(app: nil, container: "a", time: "2026-11-23T17:00:00.000Z")))
        #expect(!query.matches(Self.event(app: "org.tauos.media", container: "a", time: "garbage")))

        let byContainer = AuditQuery(container: "b")
        #expect(byContainer.matches(Self.event(app: nil, container: "b", time: "garbage")))
        #expect(!byContainer.matches(Self.event(app: nil, container: "bb", time: "2026-11-23T17:00:00.000Z")))
        #expect(AuditQuery().matches(Self.event(app: nil, container: nil, time: "garbage")))
    }

    @Test func formatterPrintsTimeMessageAndContainerOnOneLine() {
        let event = AuditEvent(
            event: .violation, app: "org.tauos.media", container: "media-1", action: "terminated",
            message: "org.tauos.media terminated: socket(AF_INET, SOCK_STREAM) needs permission \"network\", which is not granted",
            time: "2026-11-23T16:53:14.123Z")
        #expect(AuditLineFormatter.line(for: event) == """
            2026-11-23T16:53:14.123Z org.tauos.media terminated: socket(AF_INET, SOCK_STREAM) needs permission "network", \
            which is not granted [container media-1]
            """)
        let bare = AuditEvent(event: .oom, app: nil, container: nil, message: "out of memory", time: "2026-11-23T16:53:14.123Z")
        #expect(AuditLineFormatter.line(for: bare) == "2026-11-23T16:53:14.123Z out of memory")
    }

    @Test func formatterNeutralisesControlCharacters() {
        let event = AuditEvent(event: .create, app: nil, container: "x\ny", message: "a\nb\u{1b}[2Jc\td", time: "t")
        #expect(AuditLineFormatter.line(for: event) == "t a\\nb\\u{1b}[2Jc\\td [container x\\ny]")
    }
}
