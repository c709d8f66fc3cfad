import TaurunSupport
// Which records `taurun audit` shows: by app, by container, and from a point in time on.

public struct AuditQuery: Sendable, Equatable {
    public var app: String?
    public var container: String?
    /// Records older than this (milliseconds since the epoch) are left out.
    public var sinceMilliseconds: Int64?

    public init(app: String? = nil, container: String? = nil, sinceMilliseconds: Int64? = nil) {
        self.app = app
        self.container = container
        self.sinceMilliseconds = sinceMilliseconds
    }

    public func matches(_ event: AuditEvent) -> Bool {
        if let app, event.app != app { return false }
        if let container, event.container != container { return false }
        if let sinceMilliseconds {
            // A record whose time cannot be read cannot be shown to be recent enough.
            guard let time = WallClock.milliseconds(fromRFC3339: event.time), time >= sinceMilliseconds else { return false }
        }
        return true
    }

    /// The value of `--since`: an RFC 3339 time (2026-11-23T16:00:00Z), or a duration ago made of number+unit pairs
    /// with units s, m, h, d (30s, 10m, 2h, 1d, 1h30m). nil when it is neither.
    public static func parseSince(_ text: String, nowMilliseconds: Int64) -> Int64? {
        if let time = WallClock.milliseconds(fromRFC3339: text) { return time }
        guard let duration = durationMilliseconds(text) else { return nil }
        return nowMilliseconds - duration
    }

    /// "1h30m" -> 5_400_000. nil for an empty string, a number without unit, an unknown unit or an overflow.
    static func durationMilliseconds(_ text: String) -> Int64? {
        var total: Int64 = 0
        var number: Int64? = nil
        for character in text {
            if let digit = character.wholeNumberValue, character.isASCII {
                let (times, overflow1) = (number ?? 0).multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times.addingReportingOverflow(Int64(digit))
                guard !overflow1, !overflow2 else { return nil }
                number = sum
                continue
            }
            let unit: Int64
            switch character {
            case "s": unit = 1000
            case "m": unit = 60_000
            case "h": unit = 3_600_000
            case "d": unit = 86_400_000
            default: return nil
            }
            guard let value = number else { return nil }
            let (part, overflow1) = value.multipliedReportingOverflow(by: unit)
            let (sum, overflow2) = total.addingReportingOverflow(part)
            guard !overflow1, !overflow2 else { return nil }
            total = sum
            number = nil
        }
        guard number == nil, !text.isEmpty else { return nil }
        return total
    }
}
