// The human form of a record, as `taurun audit` prints it: one line per record, whatever the record contains.

import TaurunSupport

public enum AuditLineFormatter {
    /// `<time> <message> [container <id>]`, e.g.
    /// `2026-11-23T16:53:14.123Z org.tauos.media terminated: socket(AF_INET, SOCK_STREAM) needs permission "network",
    /// which is not granted [container media-1]`. Control characters in any field print as `\n`, `\t` or `\u{1b}`
    /// so a hostile app id cannot forge extra lines or terminal escapes.
    public static func line(for event: AuditEvent) -> String {
        var line = oneLine(event.time) + " " + oneLine(event.message)
        if let container = event.container { line += " [container " + oneLine(container) + "]" }
        return line
    }

    static func oneLine(_ text: String) -> String { terminalSafe(text) }
}
