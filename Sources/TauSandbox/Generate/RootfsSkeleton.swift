import TaurunSupport

/// The name of a layout's rootfs skeleton: `<state>/skeletons/<sha256 of the layout>`, one per distinct layout,
/// named by its content (TauProvisioning's `SkeletonStore` builds it). A bundle's `root.path` is that path, so it is
/// decided here, purely, and config.json stays deterministic.
public enum RootfsSkeleton {
    /// Part of the hashed text: a change to how skeletons are built (modes, entry kinds) gets new names, so a
    /// skeleton an older taurun built is never taken for a new one.
    static let format = "taurun rootfs skeleton 1"

    public static func directory(stateDirectory: String) -> String { stateDirectory + "/skeletons" }

    /// Where the skeleton for `layout` is (or will be): the bundle's `root.path`.
    public static func path(for layout: RootfsLayout, stateDirectory: String) -> String {
        directory(stateDirectory: stateDirectory) + "/" + name(for: layout)
    }

    /// The layout's identity: every entry's kind, path and symlink target, NUL-separated (no path contains NUL).
    public static func name(for layout: RootfsLayout) -> String {
        var text = Array(format.utf8)
        text.append(0)
        for entry in layout.entries {
            switch entry {
            case .directory(let path):
                text.append(UInt8(ascii: "d"))
                text.append(0)
                text.append(contentsOf: path.utf8)
            case .emptyFile(let path):
                text.append(UInt8(ascii: "f"))
                text.append(0)
                text.append(contentsOf: path.utf8)
            case .symlink(let path, let target):
                text.append(UInt8(ascii: "l"))
                text.append(0)
                text.append(contentsOf: path.utf8)
                text.append(0)
                text.append(contentsOf: target.utf8)
            }
            text.append(0)
        }
        return SHA256.hexDigest(text)
    }

    /// Whether `name` (read from a record file) can name a skeleton: only a SHA-256 in hex may name a path below
    /// skeletons/.
    public static func isName(_ name: String) -> Bool {
        name.utf8.count == 64 && name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
