/// How `FileIO.replaceFile` names the file it writes before renaming it over its target (always in the same
/// directory, so the rename stays on one filesystem and is atomic).
public enum TemporaryFileName: Sendable, Equatable {
    /// `path.tmp`, removed first: a writer killed mid-way leaves at most this one file, and the next replace removes
    /// it. For directories only taurun writes (app state, grants, bundles).
    case fixed
    /// `path.tmp.` and 16 random hex digits, another on the rare clash: for a directory others may write (a
    /// --pid-file in /tmp), where a name known in advance could be taken first.
    case random

    /// The temporary's path, for replacing `path`.
    func path(for path: String) -> String {
        switch self {
        case .fixed: path + ".tmp"
        case .random: path + ".tmp." + Self.randomSuffix()
        }
    }

    /// 16 random hex digits (getrandom(2) through the standard generator).
    static func randomSuffix() -> String {
        let n = UInt64.random(in: UInt64.min...UInt64.max)
        let hex = String(n, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
