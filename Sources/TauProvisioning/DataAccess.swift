import TauSandbox
import TaurunSupport

/// A granted host path (the manifest's `filesystem` paths, or `--data`) is reachable by exactly the apps granted it:
/// each one's host uid gets POSIX ACL entries on the path and on everything in it (TauProvisioning's `ACLTree`: read-only `r-X`,
/// read-write `rwX`, and on directories the same as default entries, so what any of them creates later stays
/// reachable to all). Two apps granted the same path therefore share it, each with its own mode; an app that is not
/// granted it has no entry and gets only what the path's own mode gives "other".
///
/// What an app was given is recorded in `<state>/apps/<id>/data-access.json` before any entry is set, so the entries
/// can be taken back without the manifest: by a later convert that no longer grants the path (or grants another
/// mode), at once by `taurun revoke`/`reset` of a filesystem permission, and by `taurun uninstall`. The ids are the
/// app's alone (IDAllocator), so an entry for them is always ours.
public struct DataAccess {
    let stateDirectory: String
    let app: AppID
    /// Sets and takes back the entries (TauProvisioning's ACLTree).
    let host: any HostProvisioning

    var recordPath: String { StateLayout.appDirectory(stateDirectory, app) + "/data-access.json" }

    struct Grant: Equatable, Hashable {
        var path: String
        var writable: Bool
    }

    struct Recorded: Equatable, AppHostRecord {
        var uid: UInt32 = 0
        /// The container's root on the host (nil without a user namespace): `r-x` on each granted directory, for the
        /// runtime (TauProvisioning's ACLTree).
        var mountUID: UInt32?
        var grants: [Grant] = []
        /// Whether read-only access to these paths needed consent (the manifest named them), which decides whether a
        /// `reset` of filesystem:ro takes it away.
        var namedByManifest = false

        var bytes: [UInt8] {
            JSONWriter.textFile(.object([
                ("grants", .array(grants.map { grant in
                    .object([("mode", .string(grant.writable ? "rw" : "ro")), ("path", .string(grant.path))])
                })),
                ("mount_uid", mountUID.map { .number($0) } ?? .null),
                ("named_by_manifest", .bool(namedByManifest)),
                ("uid", .number(uid)),
            ]))
        }

        var isEmpty: Bool { grants.isEmpty }

        init() {}

        init(uid: UInt32, mountUID: UInt32?, grants: [Grant], namedByManifest: Bool) {
            self.uid = uid
            self.mountUID = mountUID
            self.grants = grants
            self.namedByManifest = namedByManifest
        }

        /// Nil for anything but the shape `bytes` writes.
        init?(_ tree: JSONValue) {
            guard case .array(let items) = tree["grants"], case .bool(let named)? = tree["named_by_manifest"],
                let uid = tree["uid"]?.uint32Value, let mountUID = Self.mountUID(in: tree)
            else { return nil }
            self.uid = uid
            self.mountUID = mountUID
            namedByManifest = named
            for item in items {
                guard let path = item["path"]?.stringValue, let mode = item["mode"]?.stringValue, mode == "ro" || mode == "rw" else {
                    return nil
                }
                grants.append(Grant(path: path, writable: mode == "rw"))
            }
        }
    }

    /// Fails before anything is written when there are paths to grant and no setfacl/getfacl, or, for an ordinary
    /// caller, a path that is not theirs: only its owner (or root) may give the app an ACL entry on it.
    static func preflight(_ mounts: [DataMount], caller: Caller = .current()) throws(SandboxError) {
        guard !mounts.isEmpty else { return }
        guard ACLTools.hasSetfaclAndGetfacl else {
            throw .sandboxUnavailable(
                what: "giving the app's host uid access to \(mounts.map(\.path).joined(separator: ", ")) needs setfacl and getfacl (Debian package acl)")
        }
        guard !caller.isRoot else { return }
        for mount in mounts {
            let owner = try FileSystem.status(mount.path).st_uid
            if owner != caller.uid {
                throw .policyDenied(
                    reason: "filesystem: \(mount.path) belongs to uid \(owner); without root you can give an app only paths of your own "
                        + "(its access is an ACL entry, which only the owner may add)")
            }
        }
    }

    /// Makes the entries of `uid` (and `mountUID`) exactly what `mounts` grant (convert, after the bundle is in
    /// place). Returns a warning for each path whose filesystem has no ACLs, where the app gets only what the path's
    /// mode gives it.
    func apply(_ mounts: [DataMount], uid: UInt32, mountUID: UInt32?, namedByManifest: Bool) throws(SandboxError) -> [String] {
        let wanted = mounts.map { Grant(path: $0.path, writable: $0.writable) }
        let previous = recorded()
        let sameIDs = previous.uid == uid && previous.mountUID == mountUID
        let stale = sameIDs ? previous.grants.filter { !wanted.contains($0) } : previous.grants
        let new = sameIDs ? wanted.filter { !previous.grants.contains($0) } : wanted
        guard !stale.isEmpty || !new.isEmpty || previous.namedByManifest != namedByManifest else { return [] }
        // Recorded before any entry is set: a convert killed in between leaves entries uninstall can still find.
        if !new.isEmpty && sameIDs {
            try write(Recorded(uid: uid, mountUID: mountUID, grants: previous.grants + new, namedByManifest: namedByManifest))
        }
        // Stale ones first: a path whose mode changed loses the old entry before it gets the new one.
        for grant in stale {
            try host.withdrawACL(tree: grant.path, uid: previous.uid, mountUID: previous.mountUID)
        }
        if !new.isEmpty && !sameIDs {
            try write(Recorded(uid: uid, mountUID: mountUID, grants: new, namedByManifest: namedByManifest))
        }
        var kept = wanted.filter { !new.contains($0) }
        var warnings: [String] = []
        for grant in new {
            if try host.grantACL(tree: grant.path, uid: uid, writable: grant.writable, mountUID: mountUID) {
                kept.append(grant)
            } else if let mount = mounts.first(where: { $0.path == grant.path }), let warning = AccessCheck.warning(for: mount, uid: uid, app: app) {
                warnings.append("\(grant.path) is on a filesystem without POSIX ACLs; " + warning)
            }
        }
        try write(Recorded(uid: uid, mountUID: mountUID, grants: wanted.filter { kept.contains($0) }, namedByManifest: namedByManifest))
        return warnings
    }

    /// After `revoke` or `reset` (`record` is the app's updated decisions): each recorded path keeps only the access
    /// the next convert would give it, and loses the rest now. Needs no manifest.
    public static func withdraw(stateDirectory: String, app: AppID, keeping record: GrantRecord, host: some HostProvisioning) throws(SandboxError) {
        let access = DataAccess(stateDirectory: stateDirectory, app: app, host: host)
        let previous = access.recorded()
        guard !previous.grants.isEmpty else { return }
        var surviving: [Grant] = []
        for grant in previous.grants {
            guard let writable = Self.surviving(grant, namedByManifest: previous.namedByManifest, record) else {
                try host.withdrawACL(tree: grant.path, uid: previous.uid, mountUID: previous.mountUID)
                continue
            }
            if writable != grant.writable {
                try host.withdrawACL(tree: grant.path, uid: previous.uid, mountUID: previous.mountUID)
                _ = try host.grantACL(tree: grant.path, uid: previous.uid, writable: writable, mountUID: previous.mountUID)
            }
            surviving.append(Grant(path: grant.path, writable: writable))
        }
        try access.write(Recorded(
            uid: previous.uid, mountUID: previous.mountUID, grants: surviving, namedByManifest: previous.namedByManifest))
    }

    /// What is left of `grant` under `record` (nil: nothing; else whether writable), by convert's rules: read-write
    /// only while filesystem:rw is granted, else read-only while filesystem:ro is granted, or needs no consent (an
    /// unnamed --data path) and is not refused.
    static func surviving(_ grant: Grant, namedByManifest: Bool, _ record: GrantRecord) -> Bool? {
        if grant.writable && record.decision(for: .filesystemReadWrite) == true { return true }
        switch record.decision(for: .filesystemReadOnly) {
        case true?: return false
        case false?: return nil
        case nil: return namedByManifest ? nil : false
        }
    }

    /// `taurun uninstall`: every entry of the app goes, and the record with them.
    static func withdrawAll(stateDirectory: String, app: AppID, host: some HostProvisioning) throws(SandboxError) -> Int {
        let access = DataAccess(stateDirectory: stateDirectory, app: app, host: host)
        let previous = access.recorded()
        for grant in previous.grants {
            try host.withdrawACL(tree: grant.path, uid: previous.uid, mountUID: previous.mountUID)
        }
        try access.write(Recorded())
        return previous.grants.count
    }

    private func write(_ record: Recorded) throws(SandboxError) {
        try record.write(to: recordPath)
    }

    /// What earlier converts granted.
    func recorded() -> Recorded { .read(recordPath) }
}
