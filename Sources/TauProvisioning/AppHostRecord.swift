import TauSandbox
import TaurunSupport

/// A JSON file in the app's state directory (`<state>/apps/<id>/…`) that remembers ACL entries convert set on the host
/// for the app (DataAccess: the granted paths'; SocketAccess: the session sockets'), so a later convert, a revoke or an
/// uninstall can take them back without the manifest or the session's environment. An empty record is no file; a file
/// that cannot be read or is not of the shape `bytes` writes counts as empty (its entries are then left behind, but
/// they name only this app's ids).
protocol AppHostRecord {
    /// The empty record.
    init()
    /// Nil for anything but the shape `bytes` writes.
    init?(_ tree: JSONValue)
    var bytes: [UInt8] { get }
    var isEmpty: Bool { get }
}

extension AppHostRecord {
    /// What the file at `path` holds.
    static func read(_ path: String) -> Self {
        guard let bytes = try? FileSystem.readFile(path), let tree = try? JSONParser.parse(bytes), let record = Self(tree)
        else { return Self() }
        return record
    }

    /// Replaces the file at `path` with the record (0600, atomically), or removes it when the record is empty.
    func write(to path: String) throws(SandboxError) {
        if isEmpty {
            try FileSystem.unlinkIfPresent(path)
        } else {
            try FileSystem.replaceFile(path, bytes: bytes, mode: 0o600)
        }
    }

    /// The record's `mount_uid` (the container's root on the host): `.some(nil)` for null (no user namespace), nil
    /// when it is missing or neither null nor a uid.
    static func mountUID(in tree: JSONValue) -> UInt32?? {
        guard let value = tree["mount_uid"] else { return nil }
        if value == .null { return .some(nil) }
        guard let uid = value.uint32Value else { return nil }
        return .some(uid)
    }
}
