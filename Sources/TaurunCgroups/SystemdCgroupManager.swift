import TaurunDBus
import TaurunLinux
import TaurunOCI

/// The systemd driver (`--systemd-cgroup`): systemd owns the container's cgroup as a transient scope unit,
/// `<prefix>-<name>.scope` in `<slice>`, made over D-Bus with the container's pid in it, Delegate=yes and the
/// limits systemd manages as unit properties. Everything else goes through the cgroupfs driver on the scope's
/// directories: the hierarchies systemd leaves alone on v1 (cpuset, freezer, net_cls, ...), the limits systemd
/// has no property for, freezing, signalling, stats and OOM events. This is how runc and crun do it.
///
/// systemd only starts a scope around a running process, so the unit comes with the first `add(pid:)`: before
/// the clone, `create()` makes the scope's (still empty) directories, which systemd adopts as they are, so the
/// container's `cgroup` mount can bind them while its rootfs is built; `apply()` only checks and remembers; and
/// `add(pid:)` starts the unit with the remembered limits, then writes the rest through cgroupfs before the
/// container goes on.
public final class SystemdCgroupManager: CgroupManager {
    public let unit: String
    /// The parent slice; nil when rebuilt from a recorded state (the unit exists already).
    public let slice: String?
    let unitDescription: String
    /// A bus address to use instead of the system bus (tests: TAURUN_SYSTEMD_BUS).
    let busOverride: String?
    /// The scope's directory in every mounted hierarchy.
    let cgroupfs: CgroupfsManager
    private let state: Locked<State>

    struct State: Sendable {
        /// The unit exists (started by us in this process, or recorded in the container's state).
        var started: Bool
        /// What apply() was given before the unit existed.
        var pending: LinuxResources?
    }

    init(unit: String, slice: String?, containerID: String, cgroupfs: CgroupfsManager, started: Bool, busOverride: String?) {
        self.unit = unit
        self.busOverride = busOverride
        self.slice = slice
        self.unitDescription = "taurun container " + containerID
        self.cgroupfs = cgroupfs
        self.state = Locked(State(started: started, pending: nil))
    }

    public var paths: CgroupDirectories { CgroupDirectories(dirs: cgroupfs.paths.dirs, systemdUnit: unit) }

    var isStarted: Bool { state.withLock { $0.started } }

    /// Refuses a scope whose directories already hold processes, then makes them (see the type's comment).
    public func create() throws(CgroupError) {
        if !isStarted { try cgroupfs.requireNoForeignProcesses() }
        try cgroupfs.makeDirectories()
    }

    /// The cgroupfs checks, the unit properties, and that systemd answers on the bus, so `--systemd-cgroup`
    /// fails before anything exists when it cannot work.
    public func validate(_ resources: LinuxResources?) throws(CgroupError) {
        try cgroupfs.validate(resources)
        _ = try SystemdUnitProperties.resources(resources, isUnified: cgroupfs.isUnified)
        _ = try client("connect")
    }

    public func apply(_ resources: LinuxResources?) throws(CgroupError) {
        if !isStarted {
            _ = try cgroupfs.plannedWrites(resources)
            _ = try SystemdUnitProperties.resources(resources, isUnified: cgroupfs.isUnified)
            state.withLock { $0.pending = resources }
            return
        }
        let properties = try SystemdUnitProperties.resources(resources, isUnified: cgroupfs.isUnified)
        if !properties.isEmpty { try setUnitProperties(properties) }
        try cgroupfs.apply(resources)
    }

    public func update(_ resources: LinuxResources) throws(CgroupError) {
        try apply(resources)
    }

    /// The first call starts the scope around `pid`; later ones (exec) only join its directories.
    public func add(pid: Int32) throws(CgroupError) {
        let pending: LinuxResources?? = state.withLock { $0.started ? .none : .some($0.pending) }
        guard let resources = pending else {
            try cgroupfs.add(pid: pid)
            return
        }
        guard let slice else {
            throw CgroupError(operation: "systemd StartTransientUnit", path: unit, reason: "no slice known for the scope")
        }
        let properties = SystemdUnitProperties.scope(description: unitDescription, slice: slice, pid: pid, isUnified: cgroupfs.isUnified)
            + (try SystemdUnitProperties.resources(resources, isUnified: cgroupfs.isUnified))
        try startUnit(properties)
        state.withLock { $0.started = true }
        // systemd moved the pid into the scope in the hierarchies it manages; the others get it from taurun. mkdir
        // again in case add(pid:) came without create() (idempotent; a v1 cpuset inherits cpus and mems).
        try cgroupfs.makeDirectories()
        try cgroupfs.add(pid: pid)
        try cgroupfs.apply(resources)
    }

    private func startUnit(_ properties: [DBusValue]) throws(CgroupError) {
        let client = try client("StartTransientUnit")
        var result: String
        do {
            do {
                result = try client.startTransientUnit(unit, properties: properties)
            } catch where error.remoteName == "org.freedesktop.systemd1.UnitExists" {
                // A failed unit of the same name stays loaded until reset (runc resets it and retries once).
                try? client.resetFailedUnit(unit)
                result = try client.startTransientUnit(unit, properties: properties)
            }
        } catch {
            throw Self.failure("StartTransientUnit", unit, error)
        }
        if result != "done" {
            try? client.resetFailedUnit(unit)
            throw CgroupError(operation: "systemd StartTransientUnit", path: unit, reason: "the start job ended with \"\(result)\"")
        }
    }

    /// runc freezes the container around SetUnitProperties when device rules are among the properties:
    /// systemd rewrites the device rules by resetting them first, which a running process would see as EPERM.
    private func setUnitProperties(_ properties: [DBusValue]) throws(CgroupError) {
        let touchesDevices = properties.contains { property in
            if case .structure(let fields) = property, case .string(let name)? = fields.first { return name.hasPrefix("Device") }
            return false
        }
        let hasProcesses = try !cgroupfs.pids().isEmpty
        let freezeAround = touchesDevices && hasProcesses && cgroupfs.freezer != nil && !cgroupfs.isFrozen()
        if freezeAround { try cgroupfs.freeze() }
        var failure: CgroupError?
        do {
            let client = try client("SetUnitProperties")
            do { try client.setUnitProperties(unit, properties: properties) } catch { failure = Self.failure("SetUnitProperties", unit, error) }
        } catch {
            failure = error
        }
        if freezeAround { try cgroupfs.thaw() }
        if let failure { throw failure }
    }

    public func pids() throws(CgroupError) -> [Int32] { try cgroupfs.pids() }
    public func signalAll(_ signal: Int32) throws(CgroupError) { try cgroupfs.signalAll(signal) }
    public func freeze() throws(CgroupError) { try cgroupfs.freeze() }
    public func thaw() throws(CgroupError) { try cgroupfs.thaw() }
    public func isFrozen() -> Bool { cgroupfs.isFrozen() }
    public func stats() throws(CgroupError) -> CgroupStats { try cgroupfs.stats() }
    public func oomKillCount() -> UInt64? { cgroupfs.oomKillCount() }
    public func openOOMNotifier() throws(CgroupError) -> Int32 { try cgroupfs.openOOMNotifier() }

    /// StopUnit (systemd kills what is left and removes its directories), then the cgroupfs cleanup of the
    /// directories taurun made itself. A unit systemd does not know (never started, already gone) is fine, and
    /// so is a systemd that cannot be reached at all: there is no unit to stop then, and `delete --force` must
    /// still clean up. An error reply or a failed stop job is reported, after the cleanup.
    public func destroy() throws(CgroupError) {
        guard let client = try? SystemdClient.connect(override: busOverride) else {
            try cgroupfs.destroy()
            return
        }
        var stopFailure: CgroupError?
        do {
            let result = try client.stopUnit(unit)
            if result != "done" {
                stopFailure = CgroupError(operation: "systemd StopUnit", path: unit, reason: "the stop job ended with \"\(result)\"")
            }
        } catch where error.remoteName == "org.freedesktop.systemd1.NoSuchUnit" {
            // Nothing to stop.
        } catch {
            stopFailure = Self.failure("StopUnit", unit, error)
        }
        try? client.resetFailedUnit(unit)
        try cgroupfs.destroy()
        if let stopFailure { throw stopFailure }
    }

    private func client(_ operation: String) throws(CgroupError) -> SystemdClient {
        do { return try SystemdClient.connect(override: busOverride) } catch { throw Self.failure(operation, unit, error) }
    }

    static func failure(_ operation: String, _ unit: String, _ error: DBusError) -> CgroupError {
        var errnoValue: Int32?
        if case .syscall(_, _, let code) = error { errnoValue = code }
        return CgroupError(operation: "systemd " + operation, path: unit, errno: nil,
                           reason: error.description + (errnoValue == nil ? "" : " (is systemd reachable on the system bus?)"))
    }
}
