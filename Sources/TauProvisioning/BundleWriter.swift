import TauSandbox
import TaurunSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes a bundle's files (`BundleFiles`): everything into `<bundle>.taurun-new`, then renamed into place, so a
/// failed convert leaves the old bundle (or nothing) behind. An existing directory is only replaced when it is empty
/// or a bundle taurun wrote (it has tau/bundle.json).
struct BundleWriter {
    let bundle: String

    var staging: String { bundle + ".taurun-new" }
    var retired: String { bundle + ".taurun-old" }

    /// Refuses a bundle path that exists and is not ours (before anything is written).
    func preflight() throws(SandboxError) {
        switch FileSystem.kind(bundle) {
        case nil:
            guard FileSystem.kind(LexicalPath.directoryName(bundle)) == .directory else {
                throw .io(call: "stat", path: LexicalPath.directoryName(bundle), errno: ENOENT)
            }
        case .directory:
            let names = try FileSystem.list(bundle)
            if !names.isEmpty && FileSystem.kind(bundle + "/" + BundleFiles.marker) != .regular {
                throw .policyDenied(reason: "--bundle \(bundle) exists and is not a bundle written by taurun convert; refusing to replace it")
            }
        default:
            throw .policyDenied(reason: "--bundle \(bundle) exists and is not a directory")
        }
    }

    /// Fast path for a re-convert: when the existing bundle is ours and holds exactly the files convert writes, only
    /// files whose bytes changed are replaced (each through a temp file + rename, config.json last). The rootfs
    /// skeleton is not in the bundle (`SkeletonStore`); a changed layout is a changed `root.path` in config.json.
    /// Rebuilding and deleting the old tree costs tens of ms on ext4 with `discard`; this costs a few stats.
    /// Returns false (and touches nothing) when the fast path does not apply: anything else in the bundle (a
    /// `rootfs/` written by an older taurun, a stale tau/seccomp.json, a leftover temp file) means a full rewrite.
    func updateInPlace(_ files: [BundleFile]) throws(SandboxError) -> Bool {
        guard FileSystem.kind(bundle + "/" + BundleFiles.marker) == .regular else { return false }
        // `files` is config.json plus tau/*.
        let tauNames = files.compactMap { $0.path.hasPrefix("tau/") ? LexicalPath.baseName($0.path) : nil }.sorted()
        guard (try? FileSystem.list(bundle)) == ["config.json", "tau"], (try? FileSystem.list(bundle + "/tau")) == tauNames else {
            return false
        }
        for file in files {
            let path = bundle + "/" + file.path
            if let current = try? FileSystem.readFile(path), current == file.bytes { continue }
            try FileSystem.replaceFile(path, bytes: file.bytes, mode: 0o644, durable: false)
        }
        return true
    }

    /// Builds the bundle in the staging directory. The caller commits or discards it. The skeleton that config.json's
    /// root.path names must exist first (`SkeletonStore.ensure`).
    func stage(_ files: [BundleFile]) throws(SandboxError) {
        for leftover in [staging, retired] where FileSystem.kind(leftover) != nil {
            try FileSystem.removeTree(leftover)
        }
        try FileSystem.makeDirectory(staging, mode: 0o711)
        try FileSystem.makeDirectory(staging + "/tau", mode: 0o755)
        for file in files {
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
