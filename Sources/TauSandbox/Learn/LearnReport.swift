import TaurunAudit

/// What `taurun learn` concludes from one run of an app: which permissions it used that its manifest does not
/// request (with the calls that show it), which requested ones it never used, what no permission would allow, its
/// resource peaks against its limits, and the smallest manifest change that lets it run.
///
/// Only what the security monitor sees counts as evidence: the calls its filter traps. Socket families show
/// `network`; the path of an open or a connect, which learn's monitor reads from the parked call, shows a device
/// (camera, microphone, audio, gpu), a sound or display socket (audio, display) or a host file outside the app's own
/// (filesystem:ro or :rw): without the permission these are simply absent from the sandbox, and the open fails
/// with ENOENT, so the path is what tells.
public struct LearnReport: Equatable, Sendable {
    /// A permission the app used, and the calls that show it ("socket(AF_INET, SOCK_STREAM)").
    public struct Use: Equatable, Sendable {
        public var permission: Permission
        public var evidence: [String]
    }

    /// A call that no permission allows: no manifest change helps; the app must do without it.
    public struct Refusal: Equatable, Sendable {
        public var call: String
        public var reason: String
    }

    /// One resource's peak against the limit the app ran under.
    public struct Resource: Equatable, Sendable {
        public enum Kind: String, Sendable { case memory, pids }
        public var kind: Kind
        /// nil: this kernel does not keep the peak (cgroup v2 memory.peak before Linux 5.19, pids.peak on older kernels).
        public var peak: Int64?
        public var limit: Int64
        /// The app ran into the limit: the OOM killer killed a process, or a fork was refused.
        public var reached: Bool
        /// The limit the manifest change proposes (nil: none). Learn cannot see past a limit it ran into, so it
        /// proposes twice the limit, at most the host's ceiling.
        public var proposed: Int64?
        /// The limit was reached and is already this host's ceiling: no manifest can raise it.
        public var atCeiling: Bool
    }

    /// Used, not requested by the manifest: the change adds them.
    public var missing: [Use]
    /// Used, requested, but refused by the user's recorded decision: no manifest change; `taurun grant` would.
    public var refused: [Use]
    /// Used, requested and granted.
    public var used: [Use]
    /// Requested, and never used in this run.
    public var unused: [Permission]
    public var notAllowed: [Refusal]
    public var resources: [Resource]
    public var change: ManifestChange

    /// The report of one run: `manifest` as written (its own `resources`, not the defaults), what the run's bundle
    /// `granted` (the user's recorded decisions), the `limits` the app ran under (the manifest's, else the host's
    /// defaults) and the host's `ceilings`, the learn records of the run's security monitor (`calls`), and what its
    /// cgroup saw (`usage`).
    public init(manifest: Manifest, granted: Set<Permission>, limits: ResourceLimits, ceilings: ResourceLimits,
                calls: [AuditEvent], usage: ResourcePeaks) {
        var evidence: [Permission: [String]] = [:]
        var order: [Permission] = []
        var refusals: [Refusal] = []
        for call in calls where call.event == .learn {
            guard let syscall = call.syscall else { continue }
            let args = call.args ?? []
            let described = call.path.map {
                ViolationExplainer.describeAccess(
                    syscall: syscall, path: $0, flags: AccessPermission.openFlags(syscall: syscall, args: args))
            } ?? ViolationExplainer.describeCall(syscall: syscall, args: args)
            if let name = call.permission, let permission = Permission(rawValue: name), let path = call.path,
                permission == .filesystemReadOnly || permission == .filesystemReadWrite,
                let tree = PolicyValidator.forbiddenTrees.first(where: { PathRules.isSame(path, orUnder: $0) })
            {
                // A host file in a tree no app is ever given (say /etc/localtime, which the app's rootfs lacks):
                // no manifest change helps; the rootfs must carry it.
                if !refusals.contains(where: { $0.call == described }) {
                    refusals.append(Refusal(call: described, reason: "\(tree) is never given to an app: ship the file in the app's rootfs"))
                }
            } else if let name = call.permission, let permission = Permission(rawValue: name) {
                if evidence[permission] == nil { order.append(permission) }
                if !(evidence[permission] ?? []).contains(described) { evidence[permission, default: []].append(described) }
            } else if call.permission == nil, !refusals.contains(where: { $0.call == described }) {
                refusals.append(Refusal(call: described, reason: ViolationExplainer.reason(syscall: syscall, args: args)))
            }
        }
        let requested = Set(manifest.permissions.requested)
        // Reading a host file is a use of filesystem:rw when that is requested or the run also wrote one: one mode.
        if let reads = evidence[.filesystemReadOnly], requested.contains(.filesystemReadWrite) || evidence[.filesystemReadWrite] != nil {
            if evidence[.filesystemReadWrite] == nil { order.append(.filesystemReadWrite) }
            evidence[.filesystemReadWrite, default: []].append(contentsOf: reads)
            evidence[.filesystemReadOnly] = nil
            order.removeAll { $0 == .filesystemReadOnly }
        }
        let uses = order.sorted().map { Use(permission: $0, evidence: evidence[$0] ?? []) }
        missing = uses.filter { !requested.contains($0.permission) }
        refused = uses.filter { requested.contains($0.permission) && !granted.contains($0.permission) }
        used = uses.filter { requested.contains($0.permission) && granted.contains($0.permission) }
        unused = manifest.permissions.requested.filter { evidence[$0] == nil }
        notAllowed = refusals

        resources = []
        if let limit = limits.memoryBytes {
            resources.append(Self.resource(
                .memory, peak: usage.memoryBytes, limit: limit, reached: (usage.oomKills ?? 0) > 0, ceiling: ceilings.memoryBytes))
        }
        if let limit = limits.pids {
            resources.append(Self.resource(
                .pids, peak: usage.pids, limit: limit, reached: (usage.pidsLimitHits ?? 0) > 0, ceiling: ceilings.pids))
        }
        change = ManifestChange(
            addPermissions: missing.map(\.permission),
            memoryBytes: resources.first { $0.kind == .memory }?.proposed,
            pids: resources.first { $0.kind == .pids }?.proposed)
    }

    static func resource(_ kind: Resource.Kind, peak: UInt64?, limit: Int64, reached: Bool, ceiling: Int64?) -> Resource {
        var proposed: Int64?
        if reached {
            let doubled = limit.multipliedReportingOverflow(by: 2)
            let raised = min(doubled.overflow ? Int64.max : doubled.partialValue, ceiling ?? Int64.max)
            if raised > limit { proposed = raised }
        }
        return Resource(
            kind: kind, peak: peak.map { Int64(clamping: $0) }, limit: limit, reached: reached, proposed: proposed,
            atCeiling: reached && proposed == nil)
    }
}

/// The smallest change to a manifest that lets the app run as learnt: permissions to request, limits to raise.
/// Learn only adds: a permission unused in one run may be needed by a path the run did not take.
public struct ManifestChange: Equatable, Sendable {
    public var addPermissions: [Permission]
    public var memoryBytes: Int64?
    public var pids: Int64?

    public init(addPermissions: [Permission] = [], memoryBytes: Int64? = nil, pids: Int64? = nil) {
        self.addPermissions = addPermissions
        self.memoryBytes = memoryBytes
        self.pids = pids
    }

    public var isEmpty: Bool { addPermissions.isEmpty && memoryBytes == nil && pids == nil }

    /// `manifest` as it reads once the change is made: what the edited text must parse to.
    public func applied(to manifest: Manifest) -> Manifest {
        var result = manifest
        for permission in addPermissions {
            switch permission {
            case .network: result.permissions.network = true
            case .camera: result.permissions.camera = true
            case .microphone: result.permissions.microphone = true
            case .audio: result.permissions.audio = true
            case .display: result.permissions.display = true
            case .gpu: result.permissions.gpu = true
            case .filesystemReadOnly: if result.permissions.filesystem == .none { result.permissions.filesystem = .readOnly }
            case .filesystemReadWrite: result.permissions.filesystem = .readWrite
            }
        }
        if let memoryBytes { result.resources.memoryBytes = memoryBytes }
        if let pids { result.resources.pids = pids }
        return result
    }
}
