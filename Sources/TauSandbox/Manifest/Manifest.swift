/// One Tau app manifest, whichever of the three formats it was read from (tau.toml, tau-app.json, manifest.tau).
/// Values here are already type-checked and range-checked by `ManifestDecoder`; host-dependent checks (forbidden
/// paths, the executable allowlist) are `PolicyValidator`'s job.
public struct Manifest: Equatable, Sendable {
    public var id: AppID
    public var name: String
    public var version: String
    /// argv; `command[0]` is an absolute, normalised path inside the rootfs. Empty when the manifest names none:
    /// convert then takes it from `-- CMD` or the rootfs (AppCommand).
    public var command: [String]
    /// As written in the manifest: relative to the manifest's directory, or absolute.
    public var rootfs: String?
    public var env: [String: String]
    public var permissions: PermissionRequest
    public var resources: ResourceLimits
    public var sandbox: SandboxMode
    public var sandboxUnsafeAck: Bool
    public var onViolation: OnViolation
    /// Optional executable allowlist (seed 003): when set, `command[0]` must be in it and only these paths get
    /// AppArmor exec rules.
    public var executables: [String]?
    public var format: ManifestFormat
    /// `require_lsm = true`: the app must not start where its AppArmor profile cannot be enforced.
    public var requireLSM: Bool

    public init(
        id: AppID, name: String, version: String, command: [String], rootfs: String?, env: [String: String],
        permissions: PermissionRequest, resources: ResourceLimits, sandbox: SandboxMode, sandboxUnsafeAck: Bool,
        onViolation: OnViolation, executables: [String]?, format: ManifestFormat, requireLSM: Bool = false
    ) {
        self.id = id
        self.name = name
        self.version = version
        self.command = command
        self.rootfs = rootfs
        self.env = env
        self.permissions = permissions
        self.resources = resources
        self.sandbox = sandbox
        self.sandboxUnsafeAck = sandboxUnsafeAck
        self.onViolation = onViolation
        self.executables = executables
        self.format = format
        self.requireLSM = requireLSM
    }
}

public enum ManifestFormat: String, Sendable, CaseIterable {
    case tauToml = "tau.toml"
    case tauAppJSON = "tau-app.json"
    case manifestTau = "manifest.tau"

    /// The format is chosen by file name: the canonical names, or the extensions .toml / .json / .tau.
    public static func detect(fileName: String) -> ManifestFormat? {
        if fileName == "tau.toml" || fileName.hasSuffix(".toml") { return .tauToml }
        if fileName == "tau-app.json" || fileName.hasSuffix(".json") { return .tauAppJSON }
        if fileName == "manifest.tau" || fileName.hasSuffix(".tau") { return .manifestTau }
        return nil
    }
}

public enum SandboxMode: String, Sendable, CaseIterable {
    case taurun
    case none
}

public enum OnViolation: String, Sendable, CaseIterable {
    /// A syscall outside the allowlist kills the app (seccomp SCMP_ACT_KILL_PROCESS).
    case terminate
    /// A syscall outside the allowlist fails with EPERM (seccomp SCMP_ACT_ERRNO) and the app keeps running.
    case deny
    /// Like `deny`, except that under taurun a call that needs a requested, not yet decided permission the monitor
    /// can see (`Permission.askableAtRuntime`) is held while the user is asked (docs/prompts.md). runc and crun
    /// apply the profile as written: EPERM.
    case ask
}

/// What the manifest asks for. Whether each request is granted is decided later (`ConsentResolver`).
public struct PermissionRequest: Equatable, Sendable {
    public var network: Bool = false
    public var camera: Bool = false
    public var microphone: Bool = false
    public var audio: Bool = false
    public var display: Bool = false
    public var gpu: Bool = false
    public var filesystem: FilesystemAccess = .none
    /// Absolute host paths mounted at the same place; empty means "the directory given with --data".
    public var filesystemPaths: [String] = []

    public init() {}

    /// The requested permissions as grant tokens, in vocabulary order.
    public var requested: [Permission] {
        var result: [Permission] = []
        if network { result.append(.network) }
        if camera { result.append(.camera) }
        if microphone { result.append(.microphone) }
        if audio { result.append(.audio) }
        if display { result.append(.display) }
        if gpu { result.append(.gpu) }
        switch filesystem {
        case .none: break
        case .readOnly: result.append(.filesystemReadOnly)
        case .readWrite: result.append(.filesystemReadWrite)
        }
        return result
    }
}

public enum FilesystemAccess: String, Sendable, CaseIterable {
    case none
    case readOnly = "ro"
    case readWrite = "rw"
}

/// `resources` in the manifest, normalised to bytes / millicores.
public struct ResourceLimits: Equatable, Sendable {
    public var memoryBytes: Int64?
    /// CPU in thousandths of a core (0.5 cores = 500).
    public var cpuMillicores: Int64?
    public var pids: Int64?
    public var diskBytes: Int64?

    public init(memoryBytes: Int64? = nil, cpuMillicores: Int64? = nil, pids: Int64? = nil, diskBytes: Int64? = nil) {
        self.memoryBytes = memoryBytes
        self.cpuMillicores = cpuMillicores
        self.pids = pids
        self.diskBytes = diskBytes
    }
}
