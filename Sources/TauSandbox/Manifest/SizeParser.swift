import TaurunSupport

/// Human sizes for resources: "256M" ⇄ bytes. Units K/M/G/T are powers of 1024, optionally followed by "i",
/// "iB" or "B" ("256Mi", "256MiB", "256MB" all mean 256 × 2^20); a bare number or "B" suffix is bytes.
public enum SizeParser {
    private static let units: [String: Int64] = ["": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]

    public static func bytes(_ text: String) -> Int64? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        var suffix = text.dropFirst(digits.count).uppercased()
        if suffix.hasSuffix("IB") {
            suffix.removeLast(2)
            if suffix.isEmpty { return nil }
        } else if suffix.hasSuffix("I") {
            suffix.removeLast()
            if suffix.isEmpty { return nil }
        } else if suffix.hasSuffix("B") {
            suffix.removeLast()
        }
        guard !digits.isEmpty, digits.count <= 19, let unit = units[suffix], let number = Int64(digits) else { return nil }
        let (product, overflow) = number.multipliedReportingOverflow(by: unit)
        return overflow ? nil : product
    }

    /// The spelling `bytes` reads back: "256M", "1T", else the bare number ("1000").
    public static func render(_ bytes: Int64) -> String { ByteCount.exactly(bytes) ?? String(bytes) }
}
