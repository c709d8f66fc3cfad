/// Shape rules for paths in manifests and on the command line: absolute and already normalised, so that what the
/// policy checks is exactly what gets mounted (no `..` tricks, no doubled slashes).
public enum PathRules {
    public static func problem(withAbsolutePath path: String) -> String? {
        if path.utf8.count > 4096 { return "is longer than 4096 bytes" }
        if path.utf8.contains(0) { return "contains a NUL byte" }
        guard path.hasPrefix("/") else { return "is not an absolute path" }
        if path == "/" { return nil }
        if path.hasSuffix("/") { return "is not normalised (trailing /)" }
        for component in path.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            if component.isEmpty { return "is not normalised (empty component //)" }
            if component == "." || component == ".." { return "is not normalised (contains \(component))" }
        }
        for scalar in path.unicodeScalars where scalar.value < 0x20 || scalar.value == 0x7F {
            return "contains a control character"
        }
        // Commas would split OCI mount option lists and AppArmor rules; quotes/braces break AppArmor globs.
        for byte in path.utf8 where [UInt8(ascii: ","), UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "}"),
            UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "*"), UInt8(ascii: "?"), UInt8(ascii: "^")].contains(byte) {
            return "contains a character taurun does not accept in paths (, \" { } [ ] * ? ^)"
        }
        return nil
    }

    /// Whether `path` is `ancestor` or lies under it (component-wise, so /etcetera is not under /etc).
    public static func isSame(_ path: String, orUnder ancestor: String) -> Bool {
        if ancestor == "/" { return true }
        return path == ancestor || path.hasPrefix(ancestor + "/")
    }
}
