// The features document (features.md / features-linux.md): what this runtime supports. The runtime fills it in.

public struct Features: Sendable, Equatable {
    public var ociVersionMin: String?
    public var ociVersionMax: String?
    public var hooks: [String]?
    public var mountOptions: [String]?
    public var linux: Linux?
    public var annotations: [String: String]?
    public var potentiallyUnsafeConfigAnnotations: [String]?

    public init(
        ociVersionMin: String? = nil, ociVersionMax: String? = nil, hooks: [String]? = nil,
        mountOptions: [String]? = nil, linux: Linux? = nil, annotations: [String: String]? = nil,
        potentiallyUnsafeConfigAnnotations: [String]? = nil
    ) {
        self.ociVersionMin = ociVersionMin
        self.ociVersionMax = ociVersionMax
        self.hooks = hooks
        self.mountOptions = mountOptions
        self.linux = linux
        self.annotations = annotations
        self.potentiallyUnsafeConfigAnnotations = potentiallyUnsafeConfigAnnotations
    }

    public struct Linux: Sendable, Equatable {
        public var namespaces: [String]?
        public var capabilities: [String]?
        public var cgroup: Cgroup?
        public var seccomp: Seccomp?
        public var apparmor: Apparmor?
        public var selinux: Selinux?
        public var intelRdt: IntelRdt?
        public var mountExtensions: MountExtensions?
        public var netDevices: NetDevices?
        public var memoryPolicy: MemoryPolicy?

        public init(
            namespaces: [String]? = nil, capabilities: [String]? = nil, cgroup: Cgroup? = nil,
            seccomp: Seccomp? = nil, apparmor: Apparmor? = nil, selinux: Selinux? = nil,
            intelRdt: IntelRdt? = nil, mountExtensions: MountExtensions? = nil, netDevices: NetDevices? = nil,
            memoryPolicy: MemoryPolicy? = nil
        ) {
            self.namespaces = namespaces
            self.capabilities = capabilities
            self.cgroup = cgroup
            self.seccomp = seccomp
            self.apparmor = apparmor
            self.selinux = selinux
            self.intelRdt = intelRdt
            self.mountExtensions = mountExtensions
            self.netDevices = netDevices
            self.memoryPolicy = memoryPolicy
        }
    }

    public struct Cgroup: Sendable, Equatable {
        public var v1: Bool?
        public var v2: Bool?
        public var systemd: Bool?
        public var systemdUser: Bool?
        public var rdma: Bool?

        public init(v1: Bool? = nil, v2: Bool? = nil, systemd: Bool? = nil, systemdUser: Bool? = nil, rdma: Bool? = nil) {
            self.v1 = v1
            self.v2 = v2
            self.systemd = systemd
            self.systemdUser = systemdUser
            self.rdma = rdma
        }
    }

    public struct Seccomp: Sendable, Equatable {
        public var enabled: Bool?
        public var actions: [String]?
        public var operators: [String]?
        public var archs: [String]?
        public var knownFlags: [String]?
        public var supportedFlags: [String]?

        public init(
            enabled: Bool? = nil, actions: [String]? = nil, operators: [String]? = nil, archs: [String]? = nil,
            knownFlags: [String]? = nil, supportedFlags: [String]? = nil
        ) {
            self.enabled = enabled
            self.actions = actions
            self.operators = operators
            self.archs = archs
            self.knownFlags = knownFlags
            self.supportedFlags = supportedFlags
        }
    }

    /// Shared shape of the `{"enabled": Bool}` sections.
    public struct Enabled: Sendable, Equatable {
        public var enabled: Bool?

        public init(enabled: Bool? = nil) {
            self.enabled = enabled
        }
    }

    public typealias Apparmor = Enabled
    public typealias Selinux = Enabled
    public typealias NetDevices = Enabled

    /// The set_mempolicy(2) modes and flags the runtime recognizes (features-linux.md, runtime-spec 1.3).
    public struct MemoryPolicy: Sendable, Equatable {
        public var modes: [String]?
        public var flags: [String]?

        public init(modes: [String]? = nil, flags: [String]? = nil) {
            self.modes = modes
            self.flags = flags
        }
    }

    public struct IntelRdt: Sendable, Equatable {
        public var enabled: Bool?
        public var schemata: Bool?

        public init(enabled: Bool? = nil, schemata: Bool? = nil) {
            self.enabled = enabled
            self.schemata = schemata
        }
    }

    public struct MountExtensions: Sendable, Equatable {
        public var idmap: IDMap?

        public init(idmap: IDMap? = nil) {
            self.idmap = idmap
        }
    }

    public typealias IDMap = Enabled
}
