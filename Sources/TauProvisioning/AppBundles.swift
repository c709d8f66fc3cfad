import TauSandbox
import TaurunSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Which bundles convert wrote for an app and which rootfs skeletons they named: `<state>/apps/<id>/bundles.json`,
/// `{"bundles": {"<bundle path>": "<skeleton name>", …}, "skeletons": ["<skeleton name>", …]}`, keys sorted.
///
/// Why a record: a bundle lives wherever `--bundle` said, and a skeleton is shared by every bundle with the same
/// layout, whatever its app. Only this record tells `taurun uninstall` which bundles to remove and whether another
/// app may still use a skeleton. `skeletons` keeps every skeleton the app's bundles ever named, not only the current
/// ones: after a re-convert into a new layout, a container started earlier may still have the old one as its root.
struct AppBundles {
    let stateDirectory: String
    let app: AppID

    var file: String { StateLayout.appDirectory(stateDirectory, app) + "/bundles.json" }

    struct Record: Equatable {
        /// Bundle path → the skeleton its config.json names.
        var bundles: [String: String] = [:]
        var skeletons: Set<String> = []

        init(bundles: [String: String] = [:], skeletons: Set<String> = []) {
            self.bundles = bundles
            self.skeletons = skeletons
        }

        /// Nil for anything but the shape `bytes` writes.
        init?(_ tree: JSONValue) {
            guard case .object(let members) = tree["bundles"], let skeletons = tree["skeletons"]?.stringArray else { return nil }
            for member in members {
                guard let skeleton = member.value.stringValue else { return nil }
                bundles[member.key] = skeleton
            }
            self.skeletons = Set(skeletons)
        }

        var bytes: [UInt8] {
            let bundles = self.bundles.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }
            return JSONWriter.textFile(.object([
                ("bundles", .object(bundles)),
                ("skeletons", .array(skeletons.sorted().map(JSONValue.string))),
            ]))
        }
    }

    /// The record; nil when the app has none (converted only by a taurun that did not keep it).
    func load() throws(SandboxError) -> Record? {
        guard FileSystem.kind(file) != nil else { return nil }
        let bytes = try FileSystem.readFile(file)
        guard let tree = try? JSONParser.parse(bytes), let record = Record(tree) else {
            throw .io(call: "parse bundles", path: file, errno: EINVAL)
        }
        return record
    }

    /// Records that `bundle` names `skeleton`. Written only when that is new, so a repeat convert writes nothing; not
    /// fsync'ed, like the bundle it describes. Call under `StateLock`, before the bundle is committed: a convert
    /// killed in between leaves a record of a bundle that may not exist, never a bundle uninstall cannot find.
    func register(bundle: String, skeleton: String) throws(SandboxError) {
        var record = try load() ?? Record()
        guard record.bundles[bundle] != skeleton || !record.skeletons.contains(skeleton) else { return }
        record.bundles[bundle] = skeleton
        record.skeletons.insert(skeleton)
        try FileSystem.replaceFile(file, bytes: record.bytes, mode: 0o600, durable: false)
    }

    /// Call under `StateLock`.
    func remove() throws(SandboxError) {
        try FileSystem.unlinkIfPresent(file)
    }
}
