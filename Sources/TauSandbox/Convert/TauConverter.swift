import TaurunSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What `taurun convert` is asked (TauProvisioning's `AppInstaller.convert` takes it).
public struct ConvertOptions: Sendable {
    public var manifestPath: String
    public var bundlePath: String
    public var rootfs: String?
    public var dataDirectory: String?
    public var grants: Set<Permission>
    public var yes: Bool
    public var stateDirectory: String
    /// Where host devices are looked for (tests point it at a directory of mknod'ed nodes).
    public var deviceRoot: String
    /// The caller's environment (HOME, XDG_RUNTIME_DIR, WAYLAND_DISPLAY, DISPLAY).
    public var environment: [String: String]
    /// `convert MANIFEST -- CMD ARGS`: the app's command when the manifest names none (or to replace it).
    public var command: [String] = []
    /// The host user who owns the app (ACL access to its home): `--owner USER`, else the sudo caller
    /// (`SUDO_USER` in `environment`); root needs none. An ordinary caller owns the apps they convert.
    public var owner: String?
    /// `--on-violation MODE`: the user's choice, which replaces the manifest's `on_violation` (a user who wants runtime
    /// prompts for an app whose developer chose "terminate" or "deny" asks for "ask"; docs/prompts.md).
    public var onViolation: OnViolation?
    /// Who converts: root, or an ordinary user converting their own app (RootlessSandbox).
    public var caller: Caller = .current()

    public init(
        manifestPath: String, bundlePath: String, rootfs: String? = nil, dataDirectory: String? = nil,
        grants: Set<Permission> = [], yes: Bool = false, stateDirectory: String = StateLayout.defaultDirectory,
        deviceRoot: String = "/dev", environment: [String: String] = [:]
    ) {
        self.manifestPath = manifestPath
        self.bundlePath = bundlePath
        self.rootfs = rootfs
        self.dataDirectory = dataDirectory
        self.grants = grants
        self.yes = yes
        self.stateDirectory = stateDirectory
        self.deviceRoot = deviceRoot
        self.environment = environment
    }
}

public struct ConvertResult: Equatable, Sendable {
    public var app: AppID
    public var bundlePath: String
    public var hostIDBase: UInt32
    public var hostUID: UInt32
    public var homePath: String
    public var permissions: EffectivePermissions
    public var appArmorProfileName: String
    public var appArmorLoaded: Bool
    /// Things that will not stop the bundle from running but probably stop the app (a granted path on a filesystem
    /// without ACLs that the app's host uid cannot use).
    public var warnings: [String]
    /// The consent decisions this convert recorded anew (--grant, --yes, prompt answers), for the audit log.
    public var consentChanges: [ConsentChange] = []
    /// sandbox = "none" (acknowledged): no user namespace, seccomp filter or AppArmor profile.
    public var unsandboxed = false
    /// Converted by an ordinary user: what the sandbox goes without, one line each, to print and audit.
    public var rootlessOmissions: [String] = []

    public init(
        app: AppID, bundlePath: String, hostIDBase: UInt32, hostUID: UInt32, homePath: String, permissions: EffectivePermissions,
        appArmorProfileName: String, appArmorLoaded: Bool, warnings: [String], consentChanges: [ConsentChange] = [],
        unsandboxed: Bool = false, rootlessOmissions: [String] = []
    ) {
        self.app = app
        self.bundlePath = bundlePath
        self.hostIDBase = hostIDBase
        self.hostUID = hostUID
        self.homePath = homePath
        self.permissions = permissions
        self.appArmorProfileName = appArmorProfileName
        self.appArmorLoaded = appArmorLoaded
        self.warnings = warnings
        self.consentChanges = consentChanges
        self.unsandboxed = unsandboxed
        self.rootlessOmissions = rootlessOmissions
    }
}

/// Everything convert decides before writing, shared with `explain`.
public struct ConvertPlan: Sendable {
    public var manifest: Manifest
    public var inputs: BundleInputs
    public var layout: RootfsLayout
    public var record: GrantRecord
    public var recordChanged: Bool
    public var consentChanges: [ConsentChange] = []
    /// The host uid that gets ACL access to the app's home (OwnerAccess); nil: none.
    public var ownerUID: UInt32? = nil
    /// Converted by an ordinary user: what the sandbox goes without (RootlessSandbox).
    public var rootlessOmissions: [RootlessSandbox.Omission] = []
}

/// The translator: a manifest, the user's decisions, what the state directory holds for the app (`StoredAppState`,
/// which the caller reads and passes in) and the host's facts → a plan (`makePlan`, which reads the rootfs and the
/// host but no stored state, and writes nothing) → the bundle's files and what the host needs (`translate`, pure).
/// TauProvisioning's `AppInstaller` writes it.
public enum TauConverter {
    /// Validates `manifest` (as ManifestLoader read it from `options.manifestPath`) and resolves consent, rootfs,
    /// data paths and host facts, with `stored` as the app's stored state (`StoredAppState.load`). Writes nothing.
    public static func makePlan<Prompter: ConsentPrompter>(
        _ options: ConvertOptions, manifest loaded: Manifest, stored: StoredAppState, stateDirectory: String, cwd: String,
        prompter: inout Prompter?
    ) throws(SandboxError) -> ConvertPlan {
        let manifestPath = LexicalPath.absolute(options.manifestPath, relativeTo: cwd)
        var manifest = try applyingCommandLine(options, to: loaded, stored: stored)
        let policy = PolicyValidator(stateDirectory: stateDirectory, userHome: options.environment["HOME"])

        let rootfs = try resolveRootfs(options, manifest: manifest, manifestPath: manifestPath, stateDirectory: stateDirectory, cwd: cwd)
        if manifest.command.isEmpty {
            manifest.command = [try conventionalCommand(of: manifest.id, rootfs: rootfs, manifestPath: options.manifestPath)]
        }
        try policy.check(manifest)
        if !options.caller.isRoot { try RootlessSandbox.requireSupported(manifest) }
        guard FileSystem.kind(rootfs + manifest.command[0]) != nil else {
            throw .manifestValue(
                path: options.manifestPath, key: "command[0]", value: quoted(manifest.command[0]), reason: "does not exist in the rootfs \(rootfs)")
        }

        let host = HostProbe.scan(deviceRoot: options.deviceRoot, environment: options.environment)
        try requireSandboxMechanisms(manifest, host: host)

        // Consent.
        let outcome = try ConsentResolver.resolve(
            manifest: manifest, record: stored.grants.get(), grantFlags: options.grants, yes: options.yes, prompter: &prompter)

        let dataMounts = try Self.dataMounts(options, manifest: manifest, access: outcome.effective.filesystem, policy: policy, cwd: cwd)

        var inputs = BundleInputs(
            manifest: manifest, permissions: outcome.effective, hostIDBase: try stored.hostIDBase.get(),
            homeHostPath: StateLayout.homeDirectory(stateDirectory, manifest.id), rootfsHostPath: rootfs,
            dataMounts: dataMounts, host: host, resolvConfHostPath: StateLayout.resolvConf(stateDirectory))
        inputs.hostIDCount = IDAllocator(stateDirectory: stateDirectory, caller: options.caller).rangeSize
        inputs.stateDirectory = stateDirectory
        var omissions: [RootlessSandbox.Omission] = []
        if !options.caller.isRoot {
            omissions = RootlessSandbox.reduce(&inputs)
            manifest = inputs.manifest
        }
        _ = try BundleGenerator.routeHelper(inputs)  // a route needs slirp4netns: refused before anything is written
        let layout = try RootfsLayoutPlanner.plan(sourceRoot: rootfs, mountPoints: BundleGenerator.mountPoints(inputs))
        let ownerUID = try Self.ownerUID(options)
        return ConvertPlan(manifest: manifest, inputs: inputs, layout: layout, record: outcome.record, recordChanged: outcome.changed,
                           consentChanges: outcome.changes, ownerUID: ownerUID, rootlessOmissions: omissions)
    }

    /// The manifest as the command line changes it (--on-violation, `-- CMD`), its resources filled in from the
    /// stored policy: documented defaults for what the manifest leaves unset, nothing above the host's ceilings.
    private static func applyingCommandLine(
        _ options: ConvertOptions, to loaded: Manifest, stored: StoredAppState
    ) throws(SandboxError) -> Manifest {
        var manifest = loaded
        if let mode = options.onViolation { manifest.onViolation = mode }
        if !options.command.isEmpty {
            if let problem = PathRules.problem(withAbsolutePath: options.command[0]) {
                throw .manifestValue(path: "(command line)", key: "-- CMD", value: "\"\(options.command[0])\"", reason: problem)
            }
            manifest.command = options.command
        }
        manifest.resources = try stored.resourcePolicy.get().apply(to: manifest.resources, app: manifest.id)
        return manifest
    }

    /// Neither the manifest (the design notes' manifest.tau names none) nor `-- CMD` names a command: the rootfs
    /// convention's, which must be a program there.
    private static func conventionalCommand(of app: AppID, rootfs: String, manifestPath: String) throws(SandboxError) -> String {
        let conventional = AppCommand.conventionalPath(for: app)
        guard AppCommand.isProgram(rootfs + conventional) else {
            throw .commandMissing(path: manifestPath, conventional: conventional)
        }
        return conventional
    }

    /// The app's rootfs: `--rootfs`, else the manifest's (relative to the manifest's directory), resolved; never the
    /// host's / nor anything in the state directory.
    static func resolveRootfs(
        _ options: ConvertOptions, manifest: Manifest, manifestPath: String, stateDirectory: String, cwd: String
    ) throws(SandboxError) -> String {
        let rootfsOrigin: String
        let rootfsText: String
        if let flag = options.rootfs {
            rootfsOrigin = "--rootfs"
            rootfsText = LexicalPath.absolute(flag, relativeTo: cwd)
        } else if let declared = manifest.rootfs {
            rootfsOrigin = "rootfs"
            rootfsText = LexicalPath.absolute(declared, relativeTo: LexicalPath.directoryName(manifestPath))
        } else {
            throw .manifestMissingKey(path: options.manifestPath, key: "rootfs (or pass --rootfs DIR)")
        }
        guard FileSystem.resolvedKind(rootfsText) == .directory else {
            throw .policyDenied(reason: "\(rootfsOrigin): \(rootfsText) is not a directory")
        }
        let rootfs = try FileSystem.realPath(rootfsText)
        if rootfs == "/" { throw .policyDenied(reason: "\(rootfsOrigin): the host's / is never an app rootfs") }
        if PathRules.isSame(rootfs, orUnder: stateDirectory) {
            throw .policyDenied(reason: "\(rootfsOrigin): \(rootfs) is inside the taurun state directory")
        }
        return rootfs
    }

    /// What the always-on sandbox needs from the kernel: user namespaces, seccomp's kill_process and errno actions,
    /// and network namespaces for an app without network.
    static func requireSandboxMechanisms(_ manifest: Manifest, host: HostFacts) throws(SandboxError) {
        guard manifest.sandbox == .taurun else { return }
        if !host.userNamespaces {
            throw .sandboxUnavailable(what: "user namespaces are not available (/proc/sys/user/max_user_namespaces is 0 or the kernel lacks CONFIG_USER_NS)")
        }
        for action in ["kill_process", "errno"] where !host.seccompActions.contains(action) {
            throw .sandboxUnavailable(what: "seccomp action \(action) is not available (/proc/sys/kernel/seccomp/actions_avail)")
        }
        if !manifest.permissions.network && !host.networkNamespaces {
            throw .sandboxUnavailable(what: "network namespaces are not available, so network = false cannot be enforced")
        }
    }

    /// The host paths an app granted filesystem access gets: the manifest's, else `--data`; each checked by policy.
    static func dataMounts(
        _ options: ConvertOptions, manifest: Manifest, access: FilesystemAccess, policy: PolicyValidator, cwd: String
    ) throws(SandboxError) -> [DataMount] {
        var dataMounts: [DataMount] = []
        if manifest.permissions.filesystem == .none, let data = options.dataDirectory {
            throw .policyDenied(reason: "--data \(data) given, but \(manifest.id) does not request filesystem access")
        }
        if access != .none {
            var paths = manifest.permissions.filesystemPaths
            var origin = "permissions.filesystem.paths"
            if paths.isEmpty {
                guard let data = options.dataDirectory else {
                    throw .policyDenied(reason: "\(manifest.id) requests filesystem:\(access.rawValue) without paths; pass --data DIR")
                }
                paths = [LexicalPath.absolute(data, relativeTo: cwd)]
                origin = "--data"
            }
            for path in paths {
                try policy.checkMountable(path, origin: origin)
                let isDirectory = try policy.checkHostPath(path, origin: origin)
                dataMounts.append(DataMount(path: path, writable: access == .readWrite, isDirectory: isDirectory))
            }
        }
        return dataMounts
    }

    /// The app's owner, resolved now (an unknown user is refused before anything is written). An ordinary caller
    /// owns the apps they convert: their home is the caller's own directory, and nobody else's to give.
    static func ownerUID(_ options: ConvertOptions) throws(SandboxError) -> UInt32? {
        var ownerUID = try (options.owner ?? (options.caller.isRoot ? options.environment["SUDO_USER"] : nil)).flatMap { name throws(SandboxError) in
            try HostUsers.ownerUID(of: name)
        }
        if !options.caller.isRoot {
            if let ownerUID, ownerUID != options.caller.uid {
                throw .policyDenied(reason: "--owner \(options.owner ?? ""): an app you convert without root is yours alone; only root gives another user its home")
            }
            ownerUID = nil
        }
        if ownerUID != nil && !ACLTools.hasSetfaclAndGetfacl {
            throw .sandboxUnavailable(what: "giving the app's owner access to its home needs setfacl and getfacl (Debian package acl)")
        }
        return ownerUID
    }
}

/// A prompter for callers that must never ask (no terminal, `explain`).
public struct NoPrompter: ConsentPrompter {
    public init() {}
    public mutating func ask(app: AppID, appName: String, permission: Permission) -> Bool? { nil }
}
