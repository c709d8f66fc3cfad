import TauSandbox
import TaurunSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `taurun uninstall APP`: removes from this host everything convert provisioned for an app (StateLayout lists it),
/// and nothing else.
///
/// What goes: its AppArmor profile (unloaded from the kernel), the bundles convert wrote for it (only a directory
/// whose `tau/bundle.json` still names the app), the ACL entries it was given on session sockets and granted paths,
/// its home (the directory, the disk image and its loop mount, the record of the owner's ACL access), the rootfs
/// skeletons that no other app's bundles ever named, its recorded decisions, and its id range (whose slot is never
/// handed out again). With `keepData` the home stays as it is, with the owner's access to it, and so does the id range
/// its files are owned by (IDAllocator's `kept`): a reinstall takes the range back and finds the data its own.
///
/// The id range goes last: until then the app is still known, so an uninstall that was killed half-way is finished by
/// running it again (every step is idempotent).
public struct AppUninstaller {
    public let stateDirectory: String
    public let app: AppID
    /// Unloads the AppArmor profile and unmounts a quota image (TauProvisioning).
    let host: any HostProvisioning
    /// Where procfs is (tests point it at a directory of their own).
    var procRoot = "/proc"

    public init(stateDirectory: String, app: AppID, host: some HostProvisioning) {
        self.stateDirectory = stateDirectory
        self.app = app
        self.host = host
    }

    var home: String { StateLayout.homeDirectory(stateDirectory, app) }

    /// What the app has on this host, for the confirmation and the checks before anything is removed.
    public struct Inventory: Sendable {
        /// The first host id of its range (current, or kept by an earlier `--keep-data`); nil when it has none.
        public var hostIDBase: UInt32?
        /// The home, when it exists: uninstall without `--keep-data` deletes it.
        public var home: String?
        public var record: GrantRecord
    }

    /// Refuses an app taurun has nothing of (with a did-you-mean among the apps it knows).
    public func inventory() throws(SandboxError) -> Inventory {
        let ids = IDAllocator(stateDirectory: stateDirectory)
        var base = try ids.existing(app)
        if base == nil { base = try ids.kept(app) }
        let store = GrantStore(stateDirectory: stateDirectory)
        let hasGrants = FileSystem.kind(store.path(for: app)) != nil
        let hasState = FileSystem.kind(StateLayout.appDirectory(stateDirectory, app)) != nil
        guard base != nil || hasGrants || hasState else {
            let converted = try ids.knownApps().map(\.rawValue)
            let decided = try store.allRecords().map(\.app.rawValue)
            let known = Set(converted + decided).sorted()
            let suggestion = AppID.suggestion(for: app.rawValue, among: known)
            throw .policyDenied(reason: "unknown app \(app): taurun has no state of it in \(stateDirectory)"
                + (suggestion.map { " (did you mean \($0)?)" } ?? (known.isEmpty ? "" : "; known apps: " + known.joined(separator: ", "))))
        }
        return Inventory(hostIDBase: base, home: FileSystem.kind(home) != nil ? home : nil, record: try store.record(for: app))
    }

    /// Refuses while the app runs. `containers`: the ids of its containers that taurun's state has as not stopped;
    /// any process running as one of the app's host ids counts too, whatever runtime started it.
    public func requireStopped(_ inventory: Inventory, containers: [String]) throws(SandboxError) {
        var pids: [Int32] = []
        if let base = inventory.hostIDBase {
            pids = AppProcesses.pids(in: base...(base + (IDAllocator(stateDirectory: stateDirectory).rangeSize - 1)), procRoot: procRoot)
        }
        guard !containers.isEmpty || !pids.isEmpty else { return }
        var what: [String] = []
        if !containers.isEmpty { what.append("container " + containers.joined(separator: ", ")) }
        if !pids.isEmpty {
            what.append("pid " + pids.prefix(8).map(String.init).joined(separator: ", ") + (pids.count > 8 ? ", …" : ""))
        }
        throw .policyDenied(reason: "\(app) is running (\(what.joined(separator: "; "))): stop it first (taurun kill, "
            + "then taurun delete), then uninstall; nothing was removed")
    }

    /// What an uninstall did, for its one line and its audit records.
    public struct Report: Sendable {
        /// One phrase per kind of thing removed ("home /var/lib/taurun/apps/<id>/home", "2 bundles (…)").
        public var removed: [String] = []
        /// The home `keepData` kept, if there was one.
        public var keptHome: String?
        /// Every recorded decision, now gone (audited like a reset).
        public var consentChanges: [ConsentChange] = []
    }

    /// Removes the app. Call after `requireStopped` (and the user's confirmation when the home goes).
    public func uninstall(_ inventory: Inventory, keepData: Bool) throws(SandboxError) -> Report {
        var report = Report()
        let lock = try StateLock(stateDirectory: stateDirectory)
        defer { lock.release() }

        if try host.unloadAppArmorProfile(named: AppArmorProfile.name(for: app)) {
            report.removed.append("AppArmor profile \(AppArmorProfile.name(for: app))")
        }
        let bundles = AppBundles(stateDirectory: stateDirectory, app: app)
        let recorded = try bundles.load()
        let removedBundles = try removeBundles(recorded)
        if !removedBundles.isEmpty {
            report.removed.append(count(removedBundles.count, "bundle") + " (\(removedBundles.joined(separator: ", ")))")
        }
        let sockets = SocketAccess(stateDirectory: stateDirectory, app: app, mountUID: nil, appUID: 0, host: host).recorded().entries.count
        try SocketAccess.withdraw(stateDirectory: stateDirectory, app: app, keeping: GrantRecord(app: app), host: host)
        if sockets > 0 { report.removed.append("ACL entries on " + count(sockets, "session socket path")) }
        let paths = try DataAccess.withdrawAll(stateDirectory: stateDirectory, app: app, host: host)
        if paths > 0 { report.removed.append("ACL entries on " + count(paths, "granted path")) }

        let skeletons = try removeUnsharedSkeletons(recorded)
        if skeletons > 0 { report.removed.append(count(skeletons, "rootfs skeleton")) }
        try bundles.remove()
        let appDirectory = StateLayout.appDirectory(stateDirectory, app)
        if keepData {
            report.keptHome = inventory.home
        } else if FileSystem.kind(appDirectory) != nil {
            // A disk-quota home is an image loop-mounted on the directory: unmounted first, and removeTree never
            // crosses into another filesystem, so nothing mounted there is ever emptied.
            if host.isMountPoint(home) { try host.unmount(home) }
            try removeAppDirectory(appDirectory, hostIDBase: inventory.hostIDBase)
            if inventory.home != nil { report.removed.append("home \(home)") }
        }

        let store = GrantStore(stateDirectory: stateDirectory)
        let decisions = try store.record(for: app)
        report.consentChanges = ConsentChange.between(decisions, GrantRecord(app: app), via: "uninstall")
        if FileSystem.kind(store.path(for: app)) != nil {
            try store.remove(app)
            report.removed.append("grants")
        }
        if let base = inventory.hostIDBase {
            try IDAllocator(stateDirectory: stateDirectory).release(app, keep: keepData)
            if !keepData { report.removed.append("host ids \(base)-\(base + IDAllocator(stateDirectory: stateDirectory).rangeSize - 1)") }
        }
        return report
    }

    /// Root removes the app's directory itself. An ordinary user owns it and the home, but not what the app made in
    /// the home, which its mode may close to the user: what the user cannot remove `host` removes with the app's ids.
    private func removeAppDirectory(_ directory: String, hostIDBase: UInt32?) throws(SandboxError) {
        do {
            try FileSystem.removeTree(directory)
        } catch {
            let ids = IDAllocator(stateDirectory: stateDirectory)
            guard !ids.caller.isRoot, let hostIDBase, case .io(_, _, let code) = error, code == EACCES || code == EPERM else { throw error }
            try host.removeTree(directory, asAppIDs: hostIDBase, size: ids.rangeSize)
        }
    }

    /// The recorded bundles (and convert's staging or retired copies of them) that still hold a tau/bundle.json
    /// naming this app; a directory another app's convert took over since, or that is no bundle at all, stays.
    private func removeBundles(_ record: AppBundles.Record?) throws(SandboxError) -> [String] {
        var removed: [String] = []
        for bundle in record?.bundles.keys.sorted() ?? [] {
            for candidate in [bundle, bundle + ".taurun-new", bundle + ".taurun-old"] where isBundleOfThisApp(candidate) {
                try FileSystem.removeTree(candidate)
                if candidate == bundle { removed.append(bundle) }
            }
        }
        return removed
    }

    private func isBundleOfThisApp(_ directory: String) -> Bool {
        let marker = directory + "/" + BundleFiles.marker
        guard FileSystem.kind(directory) == .directory, FileSystem.kind(marker) == .regular,
            let bytes = try? FileSystem.readFile(marker), let tree = try? JSONParser.parse(bytes)
        else { return false }
        return tree["app"]?.stringValue == app.rawValue && tree["generator"]?.stringValue == "taurun convert"
    }

    /// Removes the skeletons this app's bundles named that no other app's bundles ever named. When another known app
    /// has no bundle record (converted by a taurun that kept none), nobody can tell what it uses: every skeleton stays.
    private func removeUnsharedSkeletons(_ record: AppBundles.Record?) throws(SandboxError) -> Int {
        guard let record, !record.skeletons.isEmpty else { return 0 }
        var used: Set<String> = []
        for other in try IDAllocator(stateDirectory: stateDirectory).knownApps() where other != app {
            guard let theirs = try AppBundles(stateDirectory: stateDirectory, app: other).load() else { return 0 }
            used.formUnion(theirs.skeletons)
        }
        let store = SkeletonStore(stateDirectory: stateDirectory)
        var removed = 0
        for name in record.skeletons.sorted() where !used.contains(name) {
            if try store.remove(name) { removed += 1 }
        }
        return removed
    }

    private func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)" + (number == 1 ? "" : "s")
    }
}
