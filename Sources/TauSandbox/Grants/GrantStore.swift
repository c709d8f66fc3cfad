import TaurunSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Grants live in `<state-dir>/grants/<app-id>.json`: `{"app": …, "denied": […], "granted": […], "requested": […],
/// "version": …}`, sorted, so the files diff cleanly. TauProvisioning writes them (temp file + rename, under the state-dir lock).
public struct GrantStore: Sendable {
    public let stateDirectory: String

    public init(stateDirectory: String) {
        self.stateDirectory = stateDirectory
    }

    public var directory: String { stateDirectory + "/grants" }

    public func path(for app: AppID) -> String { directory + "/" + app.rawValue + ".json" }

    public func record(for app: AppID) throws(SandboxError) -> GrantRecord {
        let file = path(for: app)
        guard FileSystem.kind(file) != nil else { return GrantRecord(app: app) }
        let bytes = try FileSystem.readFile(file)
        guard let tree = try? JSONParser.parse(bytes), let stored = StoredGrants(tree), stored.app == app.rawValue else {
            throw .io(call: "parse grants", path: file, errno: EINVAL)
        }
        var record = GrantRecord(app: app)
        if let requested = stored.requested {
            var set: Set<Permission> = []
            for token in requested {
                guard let permission = Permission(rawValue: token) else { throw .io(call: "parse grants", path: file, errno: EINVAL) }
                set.insert(permission)
            }
            record.requested = set
        }
        record.version = stored.version
        for token in stored.denied {
            guard let permission = Permission(rawValue: token) else { throw .io(call: "parse grants", path: file, errno: EINVAL) }
            record.deny(permission)
        }
        for token in stored.granted {
            guard let permission = Permission(rawValue: token) else { throw .io(call: "parse grants", path: file, errno: EINVAL) }
            record.grant(permission)
        }
        return record
    }

    public func allRecords() throws(SandboxError) -> [GrantRecord] {
        guard FileSystem.kind(directory) == .directory else { return [] }
        var records: [GrantRecord] = []
        for name in try FileSystem.list(directory) where name.hasSuffix(".json") {
            guard let app = AppID(String(name.dropLast(5))) else { continue }
            records.append(try record(for: app))
        }
        return records
    }

    /// The file's text for `record`: keys and permissions sorted, so the files diff cleanly.
    public static func encoded(_ record: GrantRecord) -> [UInt8] {
        StoredGrants.encode(StoredGrants(
            app: record.app.rawValue, granted: record.granted.sorted().map(\.rawValue), denied: record.denied.sorted().map(\.rawValue),
            requested: record.requested.map { $0.sorted().map(\.rawValue) }, version: record.version))
    }
}

struct StoredGrants: Equatable {
    var app: String
    var granted: [String]
    var denied: [String]
    /// Absent in files written before `requested` was recorded.
    var requested: [String]?
    /// Absent in files written before the manifest version was recorded.
    var version: String?

    init(app: String, granted: [String], denied: [String], requested: [String]? = nil, version: String? = nil) {
        self.app = app
        self.granted = granted
        self.denied = denied
        self.requested = requested
        self.version = version
    }

    /// Nil unless the tree is an object with a string `app` and string arrays `granted` and `denied` (and, when
    /// present, a string array `requested` and a string `version`).
    init?(_ tree: JSONValue) {
        guard let app = tree["app"]?.stringValue, let granted = tree["granted"]?.stringArray,
            let denied = tree["denied"]?.stringArray
        else { return nil }
        var requested: [String]?
        if let node = tree["requested"] {
            guard let list = node.stringArray else { return nil }
            requested = list
        }
        var version: String?
        if let node = tree["version"] {
            guard let text = node.stringValue else { return nil }
            version = text
        }
        self.init(app: app, granted: granted, denied: denied, requested: requested, version: version)
    }

    /// Keys sorted, so the files diff cleanly.
    static func encode(_ value: StoredGrants) -> [UInt8] {
        JSONWriter.textFile(.object([
            ("app", .string(value.app)),
            ("denied", .array(value.denied.map(JSONValue.string))),
            ("granted", .array(value.granted.map(JSONValue.string))),
        ]
            + (value.requested.map { [("requested", .array($0.map(JSONValue.string)))] } ?? [])
            + (value.version.map { [("version", .string($0))] } ?? [])))
    }
}
