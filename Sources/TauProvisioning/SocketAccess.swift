import TauSandbox
import TaurunSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Lets a sandboxed app reach the session sockets it was granted (`display`: Wayland/X11, `audio`/`microphone`:
/// PulseAudio/PipeWire) — and nothing else of the user's session.
///
/// The sockets live in the user's runtime directory (/run/user/<uid>, mode 0700; PulseAudio's pulse/ too), which
/// the app's unprivileged host ids cannot enter: the runtime resolves the bind-mount source as the container's root
/// (host id = the app's range base) and fails with EACCES, and the app (base + 1000) could not connect to a socket
/// without write permission on it (Wayland's is 0755). Least privilege, as POSIX ACL entries for the app's own ids:
/// - `u:<base>:x` (search only, no listing) on each directory above a granted socket that "other" cannot search,
///   so the runtime can resolve the mount source; only with a user namespace (sandbox = "none" mounts as host root);
/// - `u:<base + 1000>:rw` on the socket when "other" cannot write it, so the app can connect().
/// Set by convert only for the sockets the bundle binds, removed when the permission is revoked or a later convert
/// no longer binds them (`<state>/apps/<id>/socket-access.json` remembers what was granted, so revoke works without
/// the session's environment). The ids are the app's alone (IDAllocator), so an entry for them is always ours.
/// `host` sets and removes the entries (TauProvisioning, through `setfacl`, Debian package acl).
public struct SocketAccess {
    let stateDirectory: String
    let app: AppID
    /// The container's root on the host, nil without a user namespace.
    let mountUID: UInt32?
    /// The app's host uid.
    let appUID: UInt32
    let host: any HostProvisioning

    struct Entry: Equatable, Hashable {
        var path: String
        var uid: UInt32
        /// "x" (search a directory) or "rw" (connect to a socket).
        var permissions: String
    }

    var recordPath: String { StateLayout.appDirectory(stateDirectory, app) + "/socket-access.json" }

    /// The ACL entries `sockets` need, from the modes on disk (what "other" already allows needs no entry).
    func entries(for sockets: [HostSocket]) -> [Entry] {
        var result: [Entry] = []
        for socket in sockets {
            if let mountUID {
                var directory = LexicalPath.directoryName(socket.hostPath)
                var directories: [String] = []
                while directory != "/" && directory != "." {
                    directories.append(directory)
                    directory = LexicalPath.directoryName(directory)
                }
                for path in directories.reversed() {
                    guard let info = Self.status(path), info.st_mode & 0o001 == 0, info.st_uid != mountUID else { continue }
                    let entry = Entry(path: path, uid: mountUID, permissions: "x")
                    if !result.contains(entry) { result.append(entry) }
                }
            }
            if let info = Self.status(socket.hostPath), info.st_mode & 0o002 == 0, info.st_uid != appUID {
                result.append(Entry(path: socket.hostPath, uid: appUID, permissions: "rw"))
            }
        }
        return result
    }

    /// stat(2) of `path` (following symlinks), nil when it cannot be had: nothing there needs an entry.
    private static func status(_ path: String) -> stat? { (try? FileSystem.resolvedStatusIfPresent(path)) ?? nil }

    /// Fails before anything is written when entries are needed and setfacl is missing.
    func preflight(_ sockets: [HostSocket]) throws(SandboxError) {
        let needed = entries(for: sockets)
        guard !needed.isEmpty, !ACLTools.hasSetfacl else { return }
        throw .sandboxUnavailable(
            what: "\(app) is granted \(needed.map(\.path).joined(separator: ", ")), which its host ids cannot reach "
                + "(a 0700 session directory); giving it access needs setfacl (Debian package acl)")
    }

    /// Makes the ACLs exactly what `sockets` need: entries recorded earlier and no longer needed are removed first.
    func apply(_ sockets: [HostSocket]) throws(SandboxError) {
        let wanted = entries(for: sockets)
        let previous = recorded()
        for entry in previous.entries where !wanted.contains(entry) {
            try remove(entry)
        }
        for entry in wanted {
            try host.addACLEntry(uid: entry.uid, permissions: entry.permissions, on: entry.path)
        }
        let record = Recorded(mountUID: mountUID, appUID: appUID, sockets: sockets.map(Recorded.Socket.init), entries: wanted)
        if record.isEmpty || record != previous { try record.write(to: recordPath) }
    }

    /// After a revoke (`record` is the app's updated grants): keeps only the recorded sockets whose permission is
    /// still granted and removes the ACL entries the others needed. Needs no session environment.
    public static func withdraw(stateDirectory: String, app: AppID, keeping record: GrantRecord, host: some HostProvisioning) throws(SandboxError) {
        let probe = SocketAccess(stateDirectory: stateDirectory, app: app, mountUID: nil, appUID: 0, host: host)
        let previous = probe.recorded()
        guard !previous.sockets.isEmpty else { return }
        let kept = previous.sockets.filter { socket in
            switch socket.role {
            case .pulseAudio, .pipeWire: return record.granted.contains(.audio) || record.granted.contains(.microphone)
            case .wayland, .x11: return record.granted.contains(.display)
            }
        }
        guard kept.count != previous.sockets.count else { return }
        let access = SocketAccess(stateDirectory: stateDirectory, app: app, mountUID: previous.mountUID, appUID: previous.appUID, host: host)
        try access.apply(kept.map { HostSocket(role: $0.role, hostPath: $0.path, containerPath: "", environment: [:]) })
    }

    /// Removes the entry for our uid; when it was the last named entry, the mask goes too, so the file is back to
    /// its plain mode (setfacl refuses dropping the mask while other named entries remain: then only ours goes).
    private func remove(_ entry: Entry) throws(SandboxError) {
        guard FileSystem.kind(entry.path) != nil else { return }  // the socket is gone (session ended): nothing to undo
        try host.removeACLEntry(uid: entry.uid, from: entry.path)
    }

    // MARK: - The record

    struct Recorded: Equatable, AppHostRecord {
        struct Socket: Equatable {
            var role: HostSocket.Role
            var path: String

            init(role: HostSocket.Role, path: String) {
                self.role = role
                self.path = path
            }

            init(_ socket: HostSocket) {
                self.init(role: socket.role, path: socket.hostPath)
            }
        }

        var mountUID: UInt32?
        var appUID: UInt32 = 0
        var sockets: [Socket] = []
        var entries: [Entry] = []

        var bytes: [UInt8] {
            JSONWriter.textFile(.object([
                ("app_uid", .number(appUID)),
                ("entries", .array(entries.map { entry in
                    .object([
                        ("path", .string(entry.path)), ("permissions", .string(entry.permissions)),
                        ("uid", .number(entry.uid)),
                    ])
                })),
                ("sockets", .array(sockets.map { socket in
                    .object([("path", .string(socket.path)), ("role", .string(socket.role.rawValue))])
                })),
                ("mount_uid", mountUID.map { .number($0) } ?? .null),
            ]))
        }

        var isEmpty: Bool { sockets.isEmpty }

        init() {}

        init(mountUID: UInt32?, appUID: UInt32, sockets: [Socket], entries: [Entry]) {
            self.mountUID = mountUID
            self.appUID = appUID
            self.sockets = sockets
            self.entries = entries
        }

        /// Nil for anything but the shape `bytes` writes.
        init?(_ tree: JSONValue) {
            guard case .array(let entryItems) = tree["entries"], case .array(let socketItems) = tree["sockets"],
                let appUID = tree["app_uid"]?.uint32Value, let mountUID = Self.mountUID(in: tree)
            else { return nil }
            self.appUID = appUID
            self.mountUID = mountUID
            for item in entryItems {
                guard let path = item["path"]?.stringValue, let permissions = item["permissions"]?.stringValue,
                    ["x", "rw"].contains(permissions), let uid = item["uid"]?.uint32Value
                else { return nil }
                entries.append(Entry(path: path, uid: uid, permissions: permissions))
            }
            for item in socketItems {
                guard let path = item["path"]?.stringValue, let role = item["role"]?.stringValue.flatMap(HostSocket.Role.init(rawValue:))
                else { return nil }
                sockets.append(Socket(role: role, path: path))
            }
        }
    }

    /// What an earlier convert granted.
    func recorded() -> Recorded { .read(recordPath) }
}
