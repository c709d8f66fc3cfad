import TaurunSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Per-app host id ranges, allocated once and remembered in `<state-dir>/ids.json` (TauProvisioning writes it) (container id 0 → the range's
/// first id, the app's uid/gid 1000 → first + 1000). Slot n is never reused, even for a removed app (files it left
/// anywhere stay owned by ids nobody else gets). An app uninstalled with `--keep-data` keeps its range under `kept`:
/// its home's files are owned by it, and a reinstall takes the range back and finds them its own.
///
/// Where the ranges come from depends on who converts (`Caller`):
/// - root: 65536 host uids/gids per app, starting at 200000 + n × 65536, skipping slots that overlap any range in
///   /etc/subuid or /etc/subgid (rootless Podman users), so no two apps, and no app and a rootless user, share an id;
/// - an ordinary user: 1024 ids per app, carved from the user's own subordinate ids (the part of their /etc/subuid
///   ranges that their /etc/subgid ranges cover too, since one base maps both), which newuidmap and newgidmap let the
///   user map. 1024 holds everything an app's ids are used for (0, the runtime's root; 5, devpts' group; 1000, the
///   app) and makes 64 apps of a usual 65536-id range; 65536 each would make one.
public struct IDAllocator: Sendable {
    public static let firstHostID: UInt32 = 200_000
    /// Ids per app of root's.
    public static let hostRangeSize: UInt32 = 65536
    /// Ids per app of an ordinary user's, from their subordinate ids.
    public static let userRangeSize: UInt32 = 1024
    /// The app's user inside the container.
    public static let appID: UInt32 = 1000

    public let stateDirectory: String
    public var subordinateFiles: [String]
    public var caller: Caller

    public init(stateDirectory: String, subordinateFiles: [String] = ["/etc/subuid", "/etc/subgid"], caller: Caller = .current()) {
        self.stateDirectory = stateDirectory
        self.subordinateFiles = subordinateFiles
        self.caller = caller
    }

    /// Ids per app for this caller.
    public var rangeSize: UInt32 { caller.isRoot ? Self.hostRangeSize : Self.userRangeSize }

    /// ids.json.
    public var path: String { stateDirectory + "/ids.json" }

    /// ids.json: `{"apps": {"<app id>": <base>, …}, "kept": {…}, "next": <slot>}`, keys sorted; `kept` (ranges of
    /// apps uninstalled with --keep-data) only when there is one.
    struct Table: Equatable {
        /// Next slot to hand out.
        var next: UInt32
        var apps: [String: UInt32]
        var kept: [String: UInt32] = [:]

        init(next: UInt32, apps: [String: UInt32], kept: [String: UInt32] = [:]) {
            self.next = next
            self.apps = apps
            self.kept = kept
        }

        /// Nil unless the tree has exactly that shape (every number an integer in UInt32).
        init?(_ tree: JSONValue) {
            guard let next = tree["next"]?.uint32Value, let apps = Self.ranges(tree["apps"]) else { return nil }
            var kept: [String: UInt32] = [:]
            if let node = tree["kept"] {
                guard let ranges = Self.ranges(node) else { return nil }
                kept = ranges
            }
            self.init(next: next, apps: apps, kept: kept)
        }

        private static func ranges(_ node: JSONValue?) -> [String: UInt32]? {
            guard case .object(let members)? = node else { return nil }
            var ranges: [String: UInt32] = [:]
            for member in members {
                guard let base = member.value.uint32Value else { return nil }
                ranges[member.key] = base
            }
            return ranges
        }

        var tree: JSONValue {
            func object(_ ranges: [String: UInt32]) -> JSONValue {
                .object(ranges.sorted { $0.key < $1.key }.map { ($0.key, .number($0.value)) })
            }
            return .object([("apps", object(apps))] + (kept.isEmpty ? [] : [("kept", object(kept))])
                + [("next", .number(next))])
        }
    }

    func load() throws(SandboxError) -> Table {
        guard FileSystem.kind(path) != nil else { return Table(next: 0, apps: [:]) }
        let bytes = try FileSystem.readFile(path)
        guard let tree = try? JSONParser.parse(bytes), let table = Table(tree) else {
            throw .io(call: "parse ids", path: path, errno: EINVAL)
        }
        return table
    }

    /// Every app that has an id range: the apps taurun converted.
    public func knownApps() throws(SandboxError) -> [AppID] {
        try load().apps.keys.compactMap(AppID.init).sorted()
    }

    /// The host id base already recorded for `app`, if any.
    public func existing(_ app: AppID) throws(SandboxError) -> UInt32? {
        try load().apps[app.rawValue]
    }

    /// The range kept for `app` by an uninstall with --keep-data, if any.
    public func kept(_ app: AppID) throws(SandboxError) -> UInt32? {
        try load().kept[app.rawValue]
    }

    /// What `allocate` would return, without writing (for plans and `explain`).
    public func peek(_ app: AppID) throws(SandboxError) -> UInt32 {
        let table = try load()
        if let base = table.apps[app.rawValue] ?? table.kept[app.rawValue] { return base }
        return try nextFree(table).base
    }

    /// What `allocate` records: the app's base, and the new text of ids.json when it changes (a first range, or the
    /// one kept by an uninstall with --keep-data taken back); nil when the app already has its range.
    public func allocation(_ app: AppID) throws(SandboxError) -> (base: UInt32, table: [UInt8]?) {
        var table = try load()
        if let base = table.apps[app.rawValue] { return (base, nil) }
        let base: UInt32
        if let kept = table.kept.removeValue(forKey: app.rawValue) {
            base = kept
        } else {
            let (slot, free) = try nextFree(table)
            base = free
            table.next = slot + 1
        }
        table.apps[app.rawValue] = base
        return (base, JSONWriter.textFile(table.tree))
    }

    /// The text of ids.json once `app` no longer has a range (its slot is still never handed out again), or, with
    /// `keep`, has it under `kept`, reserved for the data left in its home; nil when it has none.
    public func releasedTable(_ app: AppID, keep: Bool) throws(SandboxError) -> [UInt8]? {
        var table = try load()
        guard let base = table.apps.removeValue(forKey: app.rawValue) ?? table.kept.removeValue(forKey: app.rawValue) else { return nil }
        if keep { table.kept[app.rawValue] = base }
        return JSONWriter.textFile(table.tree)
    }

    private func nextFree(_ table: Table) throws(SandboxError) -> (slot: UInt32, base: UInt32) {
        let used = Set(table.apps.values).union(table.kept.values)
        if caller.isRoot {
            let taken = subordinateRanges(of: nil).flatMap { $0 }
            var slot = table.next
            while true {
                let (offset, overflow) = slot.multipliedReportingOverflow(by: rangeSize)
                let (base, overflow2) = Self.firstHostID.addingReportingOverflow(offset)
                guard !overflow, !overflow2, base <= UInt32.max - rangeSize else {
                    throw .sandboxUnavailable(what: "no free host id range left in \(path)")
                }
                let end = UInt64(base) + UInt64(rangeSize)
                let clashes = used.contains(base) || taken.contains { UInt64($0.start) < end && UInt64($0.start) + UInt64($0.count) > UInt64(base) }
                if !clashes { return (slot, base) }
                slot += 1
            }
        }
        let bases = userSlots()
        guard !bases.isEmpty else {
            let who = caller.name ?? String(caller.uid)
            throw .sandboxUnavailable(
                what: "\(who) has no subordinate ids for apps: an app needs \(rangeSize) ids that both /etc/subuid and /etc/subgid give \(who) "
                    + "(an administrator adds them: usermod --add-subuids FIRST-LAST --add-subgids FIRST-LAST \(who))")
        }
        var slot = table.next
        while Int(slot) < bases.count {
            if !used.contains(bases[Int(slot)]) { return (slot, bases[Int(slot)]) }
            slot += 1
        }
        throw .sandboxUnavailable(
            what: "no free host id range left: \(bases.count) apps of \(rangeSize) ids fit in your subordinate ids, and each was handed out "
                + "once (\(path)); an administrator can add more (usermod --add-subuids/--add-subgids)")
    }

    /// An ordinary user's slots: the first id of every whole `rangeSize` block inside both a subuid range and a
    /// subgid range of theirs, in order.
    func userSlots() -> [UInt32] {
        let perFile = subordinateRanges(of: caller)
        guard perFile.count == 2 else { return [] }
        var bases: [UInt32] = []
        for uids in perFile[0].sorted(by: { $0.start < $1.start }) {
            for gids in perFile[1] {
                let start = max(UInt64(uids.start), UInt64(gids.start))
                let end = min(UInt64(uids.start) + UInt64(uids.count), UInt64(gids.start) + UInt64(gids.count))
                var base = start
                while base + UInt64(rangeSize) <= end, base <= UInt64(UInt32.max) {
                    if !bases.contains(UInt32(base)) { bases.append(UInt32(base)) }
                    base += UInt64(rangeSize)
                }
            }
        }
        return bases.sorted()
    }

    /// `name:start:count` lines, per file (/etc/subuid, then /etc/subgid): all of them, or those of `user` (the
    /// first field is their name or their uid).
    private func subordinateRanges(of user: Caller?) -> [[(start: UInt32, count: UInt32)]] {
        subordinateFiles.map { file in
            guard let bytes = try? FileSystem.readFile(file) else { return [] }
            var ranges: [(start: UInt32, count: UInt32)] = []
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
                let fields = line.split(separator: ":")
                guard fields.count == 3, let start = UInt32(fields[1]), let count = UInt32(fields[2]) else { continue }
                if let user, fields[0] != String(user.uid) && user.name.map({ fields[0] != $0 }) ?? true { continue }
                ranges.append((start, count))
            }
            return ranges
        }
    }
}
