/// A reverse-DNS app id such as `org.tauos.media`. It names host paths (`apps/<id>/home`), the AppArmor profile and
/// the hostname, so the accepted alphabet is deliberately narrow.
public struct AppID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// Longest id accepted: it becomes the container hostname, and HOST_NAME_MAX is 64.
    public static let maximumLength = 64

    public init?(_ text: String) {
        guard AppID.problem(with: text) == nil else { return nil }
        self.rawValue = text
    }

    public var description: String { rawValue }

    public static func < (lhs: AppID, rhs: AppID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Why `text` is not a valid app id, or nil when it is.
    public static func problem(with text: String) -> String? {
        if text.isEmpty { return "is empty" }
        if text.utf8.count > maximumLength { return "is longer than \(maximumLength) bytes" }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count < 2 { return "is not reverse-DNS (needs at least two dot-separated labels, e.g. org.example.app)" }
        for label in labels {
            if label.isEmpty { return "has an empty label" }
            guard let first = label.utf8.first else { return "has an empty label" }
            if isDigit(first) || first == UInt8(ascii: "-") {
                return "has a label starting with a digit or '-' (\(label))"
            }
            for byte in label.utf8 where !(isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")) {
                return "contains a character outside [A-Za-z0-9_-] in label \(label)"
            }
        }
        return nil
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    private static func isLetter(_ byte: UInt8) -> Bool { (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) }
}

extension AppID {
    /// The closest of `candidates` to `text` (a mistyped app id), or nil when none is close.
    public static func suggestion(for text: String, among candidates: [String]) -> String? {
        DidYouMean.suggestion(for: text, among: candidates)
    }
}
