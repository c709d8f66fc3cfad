/// Byte counts for people, in the powers of 1024 that manifests and Podman write sizes in (K, M, G, T). Two
/// renderings: `exactly` says the very number, in a unit only where one divides it (what a manifest can say back);
/// `rounded` says about how much, to one decimal (a measured peak).
public enum ByteCount {
    private static let units: [(suffix: String, shift: Int64)] = [("T", 40), ("G", 30), ("M", 20), ("K", 10)]

    /// In the largest unit that divides it: "64M", "1T", "512K"; nil when no unit does (1000, 0, negative), for the
    /// caller to say the bare number its own way.
    public static func exactly(_ bytes: Int64) -> String? {
        for (suffix, shift) in units where bytes >= Int64(1) << shift && bytes % (Int64(1) << shift) == 0 {
            return "\(bytes >> shift)\(suffix)"
        }
        return nil
    }

    /// In the largest unit that leaves at least 1, rounded to one decimal: "3.1M", "1G", "512K"; below 1K in bytes,
    /// "900B".
    public static func rounded(_ bytes: Int64) -> String {
        for (suffix, shift) in units where bytes >= Int64(1) << shift {
            let tenths = (bytes * 10 + (Int64(1) << shift) / 2) >> shift
            return tenths % 10 == 0 ? "\(tenths / 10)\(suffix)" : "\(tenths / 10).\(tenths % 10)\(suffix)"
        }
        return "\(bytes)B"
    }
}
