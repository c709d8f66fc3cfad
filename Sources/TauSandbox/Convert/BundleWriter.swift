import TaurunOCI

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes a generated bundle: everything into `<bundle>.taurun-new`, then renamed into place, so a failed convert
/// leaves the old bundle (or nothing) behind. An existing directory is only replaced when it is empty or a bundle
/// taurun wrote (it has tau/bundle.json).
struct BundleWriter {
    let bundle: String

    var staging: String { bundle + ".taurun-new" }
    var retired: String { bundle + ".taurun-old" }
    static let marker = "tau/bundle.json"

    /// Where the profile is written for `apparmor_parser -r` before the bundle is committed.
    static func temporaryProfile(bundle: String) -> String { bundle + ".apparmor.profile" }

    /// Refuses a bundle path that exists and is not ours (before anything is written).
    func preflight() throws(SandboxError) {
        switch FileSystem.kind(bundle) {
        case nil:
            guard FileSystem.kind(FileSystem.directoryName(bundle)) == .directory else {
                throw .io(call: "stat", path: FileSystem.directoryName(bundle), errno: ENOENT)
            }
        case .directory:
            let names = try FileSystem.list(bundle)
            if !names.isEmpty && FileSystem.kind(bundle + "/" + Self.marker) != .regular {
                throw .policyDenied(reason: "--bundle \(bundle) exists and is not a bundle written by taurun convert; refusing to replace it")
            }
        default:
            throw .policyDenied(reason: "--bundle \(bundle) exists and is not a directory")
        }
    }

    /// The bundle's files other than the rootfs skeleton, by path relative to the bundle.
    static func files(_ generated: GeneratedBundle, app: AppID) -> [(path: String, bytes: [UInt8])] {
        var files: [(path: String, bytes: [UInt8])] = [("tau/apparmor.profile", Array(generated.appArmorProfile.utf8))]
        let config = ConfigJSON.encode(generated.spec)
        if let seccomp = generated.spec.linux?.seccomp {
            files.append(("tau/seccomp.json", JSONTreeWriter.write(ConfigJSON.seccomp(seccomp))))
        }
        let marker = JSONTreeWriter.write(.object([
            JSONTree.Member("app", .string(app.rawValue)), JSONTree.Member("generator", .string("taurun convert")),
        ]))
        files.append((Self.marker, marker))
        // config.json last: when it is replaced in place, everything it refers to is already there.
        files.append(("config.json", config))
        return files
    }

    /// Fast path for a re-convert: when the existing bundle is ours and its rootfs skeleton is exactly the one
    /// generated, only files whose bytes changed are replaced (each through a temp file + rename, config.json last).
    /// Rebuilding and deleting the old tree costs tens of ms on ext4 with `discard`; this costs a few stats.
    /// Returns false (and touches nothing) when the fast path does not apply.
    func updateInPlace(_ generated: GeneratedBundle, app: AppID) throws(SandboxError) -> Bool {
        guard FileSystem.kind(bundle + "/" + Self.marker) == .regular,
            let existing = skeleton(under: bundle + "/rootfs"), existing == generated.layout.entries
        else { return false }
        let files = Self.files(generated, app: app)
        let wanted = Set(files.map(\.path))
        if !wanted.contains("tau/seccomp.json"), FileSystem.kind(bundle + "/tau/seccomp.json") != nil {
            return false
        }
        for file in files {
            let path = bundle + "/" + file.path
            if let current = try? FileSystem.readFile(path), current == file.bytes { continue }
            try FileSystem.replaceFile(path, bytes: file.bytes, mode: 0o644, durable: false)
        }
        return true
    }

    /// The skeleton currently in `root`, as layout entries (nil if it holds anything a skeleton never does).
    private func skeleton(under root: String) -> [RootfsLayout.Entry]? {
        var entries: [RootfsLayout.Entry] = []
        func walk(_ relative: String) -> Bool {
            guard let names = try? FileSystem.list(root + relative) else { return false }
            for name in names {
                let path = (relative == "/" ? "" : relative) + "/" + name
                switch FileSystem.kind(root + path) {
                case .directory:
                    entries.append(.directory(path))
                    if !walk(path) { return false }
                case .regular:
                    entries.append(.emptyFile(path))
                case .symlink:
                    guard let target = try? FileSystem.readLink(root + path) else { return false }
                    entries.append(.symlink(path, target: target))
                default:
                    return false
                }
            }
            return true
        }
        guard walk("/") else { return nil }
        return entries.sorted { $0.path < $1.path }
    }

    /// Builds the bundle in the staging directory. The caller commits or discards it.
    func stage(_ generated: GeneratedBundle, app: AppID) throws(SandboxError) {
        for leftover in [staging, retired] where FileSystem.kind(leftover) != nil {
            try FileSystem.removeTree(leftover)
        }
        try FileSystem.makeDirectory(staging, mode: 0o711)
        try FileSystem.makeDirectory(staging + "/rootfs", mode: 0o755)
        for entry in generated.layout.entries {
            let path = staging + "/rootfs" + entry.path
            switch entry {
            case .directory: try FileSystem.makeDirectory(path, mode: 0o755)
            case .emptyFile: try FileSystem.createFile(path, bytes: [], mode: 0o644)
            case .symlink(_, let target): try FileSystem.makeSymlink(path, target: target)
            }
        }
        try FileSystem.makeDirectory(staging + "/tau", mode: 0o755)
        for file in Self.files(generated, app: app) {
            try FileSystem.createFile(staging + "/" + file.path, bytes: file.bytes, mode: 0o644)
        }
    }

    func commit() throws(SandboxError) {
        if FileSystem.kind(bundle) != nil {
            try FileSystem.rename(bundle, to: retired)
            try FileSystem.rename(staging, to: bundle)
            try FileSystem.removeTree(retired)
        } else {
            try FileSystem.rename(staging, to: bundle)
        }
    }

    func discard() {
        if FileSystem.kind(staging) != nil { try? FileSystem.removeTree(staging) }
    }
}
