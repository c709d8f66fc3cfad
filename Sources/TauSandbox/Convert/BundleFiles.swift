import TaurunOCI
import TaurunSupport

/// One file of a bundle: its path relative to the bundle and its bytes.
public struct BundleFile: Equatable, Sendable {
    public var path: String
    public var bytes: [UInt8]
}

/// The files of a generated bundle (the rootfs skeleton is shared, not in the bundle: `RootfsSkeleton`).
public enum BundleFiles {
    /// Marks a directory as a bundle taurun wrote, and for which app: convert replaces only such a directory, and
    /// uninstall removes only one naming its app.
    public static let marker = "tau/bundle.json"

    /// tau/apparmor.profile, tau/seccomp.json (when there is a filter), the marker, then config.json: when the files
    /// are replaced in place, everything config.json refers to is already there.
    public static func files(_ generated: GeneratedBundle, app: AppID) -> [BundleFile] {
        var files = [BundleFile(path: "tau/apparmor.profile", bytes: Array(generated.appArmorProfile.utf8))]
        let config = generated.spec.encodedJSON()
        if let seccomp = generated.spec.linux?.seccomp {
            // The profile for people to read and diff: two-space indent, keys sorted as in config.json.
            files.append(BundleFile(path: "tau/seccomp.json", bytes: JSONWriter(indent: "  ", keyOrder: .sorted).write(seccomp.json) + [0x0A]))
        }
        let marker = JSONWriter.textFile(.object([
            ("app", .string(app.rawValue)), ("generator", .string("taurun convert")),
        ]))
        files.append(BundleFile(path: Self.marker, bytes: marker))
        files.append(BundleFile(path: "config.json", bytes: config))
        return files
    }
}
