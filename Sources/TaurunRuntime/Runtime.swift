import TaurunCgroups
import TaurunLinux
import TaurunOCI
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

/// The entry point of the lifecycle commands: one value per CLI invocation, holding the global options.
public struct Runtime {
    public let store: StateStore
    public let systemdCgroup: Bool
    /// The security audit log (JSON lines); nil writes no records (unit tests).
    public let auditLogPath: String?
    /// --require-lsm: a process that names an AppArmor/SELinux profile must get it, or the container does not start.
    public let requireLSM: Bool

    /// Rootless (runc's --rootless): cgroups only where the caller may write them (RootlessCgroups). nil at init:
    /// runc's `auto`, rootless when not root, or root only inside a user namespace (rootless Podman runs its runtime
    /// as root of the user's namespace, where the host's cgroup files still belong to an unmapped owner).
    public var rootless: Bool { rootlessSetting ?? (ProcessIdentity.effectiveUID != 0 || Self.insideUserNamespace) }
    private let rootlessSetting: Bool?
    /// The grant store the security monitor of an on_violation = "ask" app reads and records in (the CLI's; nil:
    /// prompts decide for the run only and record nothing).
    public var consentStore: (any RuntimeConsentStore)? = nil

    public init(root: String, systemdCgroup: Bool = false, auditLogPath: String? = nil, requireLSM: Bool = false,
                rootless: Bool? = nil) {
        self.store = StateStore(root: root)
        self.systemdCgroup = systemdCgroup
        self.auditLogPath = auditLogPath
        self.requireLSM = requireLSM
        self.rootlessSetting = rootless
    }

    /// Whether this process runs in a user namespace other than the initial one: its uid_map is not the identity
    /// map of every id ("0 0 4294967295"). Read once per process: the CLI asks for the state root, the audit log
    /// and create's rootless decision.
    public static let insideUserNamespace: Bool = {
        guard let text = try? Files.readString("/proc/self/uid_map") else { return false }
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        return fields != ["0", "0", "4294967295"]
    }()

    /// The spec version taurun implements: the one its OCI types follow (`--version`, `features` and `spec` agree).
    public static let ociVersion = Spec.supportedVersion

    func cgroupManager(for record: ContainerRecord) -> any CgroupManager {
        Cgroups.manager(recorded: recordedCgroup(of: record))
    }

    func recordedCgroup(of record: ContainerRecord) -> CgroupDirectories {
        CgroupDirectories(dirs: record.cgroupDirs, systemdUnit: record.cgroupSystemdUnit)
    }

    func status(of record: ContainerRecord) -> ContainerStatus {
        record.status(store: store) { cgroupManager(for: record).isFrozen() }
    }

    /// The OCI state document of a container (what `state` prints and hooks read on stdin).
    func state(of record: ContainerRecord, status: ContainerStatus) -> State {
        State(ociVersion: record.ociVersion, id: record.id, status: status,
              pid: status == .stopped ? 0 : (record.pid ?? 0), bundle: record.bundle,
              annotations: record.annotations, rootfs: record.rootfs, created: record.created, owner: record.owner)
    }

    public func state(id: String) throws(RuntimeError) -> State {
        try ContainerID.validate(id)
        let record = try store.load(id)
        return state(of: record, status: status(of: record))
    }

    /// Every container under the root, in id order, with its status now. A directory whose state cannot be loaded is
    /// left out: one without a state file (a create that died before its first write), which `delete` removes, or
    /// with an unreadable one, which `delete --force` removes; `state` of its id says which.
    public func list() throws(RuntimeError) -> [State] {
        try store.ids().compactMap { id in
            guard let record = try? store.load(id) else { return nil }
            return state(of: record, status: status(of: record))
        }
    }
}

extension State {
    /// The JSON the OCI hooks receive on stdin.
    var hookJSON: String { String(decoding: compactJSON(), as: UTF8.self) }
}
