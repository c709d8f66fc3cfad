import ArgumentParser
import TaurunAudit
import TaurunLinux
import TaurunRuntime
import TaurunSupport

/// `taurun audit`: the security audit log as readable lines (or its JSON records), filtered, optionally followed.
struct AuditCommand: TaurunVerb {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Show the security audit log (--audit-log, default /var/log/taurun/audit.jsonl).")
    @ParentCommand var parent: Taurun

    @Option(help: "Only records of this Tau app id.") var app: String?
    @Option(help: "Only records of this container id.") var container: String?
    @Option(help: "Only records at or after this time: RFC 3339 (2026-11-23T16:00:00Z) or a duration ago (30s, 10m, 2h, 1d).")
    var since: String?
    @Flag(help: "Keep printing records as they are appended.") var follow = false
    @Flag(help: "Print the JSON records instead of readable lines.") var json = false

    /// How often --follow looks at the file: fast enough to feel live, slow enough to cost nothing.
    static let followIntervalMilliseconds = 200

    mutating func execute(_ runtime: Runtime) throws {
        var query = AuditQuery(app: app, container: container)
        if let since {
            guard let time = AuditQuery.parseSince(since, nowMilliseconds: WallClock.nowMilliseconds()) else {
                throw AuditUsageError(
                    "invalid --since \"\(since)\": expected an RFC 3339 time (2026-11-23T16:00:00Z) or a duration (30s, 10m, 2h, 1d)")
            }
            query.sinceMilliseconds = time
        }
        let log = AuditLog(path: parent.auditLogPath)
        guard follow else {
            for event in try log.read() where query.matches(event) { emit(event) }
            return
        }
        let follower = try AuditFollower(log: log)
        while true {
            for event in try follower.poll() where query.matches(event) { emit(event) }
            BufferedOutput.flush()
            MonotonicClock.sleep(milliseconds: Self.followIntervalMilliseconds)
        }
    }

    private func emit(_ event: AuditEvent) {
        if json {
            print(event.jsonLine(), terminator: "")
        } else {
            print(AuditLineFormatter.line(for: event))
        }
    }
}

/// A bad `taurun audit` flag value, reported as one line.
struct AuditUsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
