import FoundationEssentials
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
        try FileSystem.createFile(staging + "/config.json", bytes: generated.spec.encodedJSON(), mode: 0o644)
        try FileSystem.makeDirectory(staging + "/tau", mode: 0o755)
        try FileSystem.createFile(staging + "/tau/apparmor.profile", bytes: Array(generated.appArmorProfile.utf8), mode: 0o644)
        if let seccomp = generated.seccomp {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            guard let bytes = try? encoder.encode(seccomp) else { throw .io(call: "encode seccomp", path: staging, errno: EINVAL) }
            try FileSystem.createFile(staging + "/tau/seccomp.json", bytes: Array(bytes) + [0x0A], mode: 0o644)
        }
        let marker = "{\n  \"app\" : \"\(app.rawValue)\",\n  \"generator\" : \"taurun convert\"\n}\n"
        try FileSystem.createFile(staging + "/" + Self.marker, bytes: Array(marker.utf8), mode: 0o644)
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
