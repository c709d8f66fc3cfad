// `linux` of config.json (config-linux.md), apart from resources (LinuxResources.swift) and seccomp (LinuxSeccomp.swift).

/// Linux-specific configuration of the container.
public struct Linux: Sendable, Equatable {
    public var uidMappings: [LinuxIDMapping]?
    public var gidMappings: [LinuxIDMapping]?
    /// Keys are "monotonic" and "boottime".
    public var timeOffsets: [String: LinuxTimeOffset]?
    public var sysctl: [String: String]?
    public var resources: LinuxResources?
    public var cgroupsPath: String?
    public var namespaces: [LinuxNamespace]?
    public var devices: [LinuxDevice]?
    public var seccomp: LinuxSeccomp?
    /// One of `Linux.rootfsPropagationValues` (checked by `Spec.validate()`).
    public var rootfsPropagation: String?
    public var maskedPaths: [String]?
    public var readonlyPaths: [String]?
    public var mountLabel: String?
    public var intelRdt: LinuxIntelRdt?
    public var personality: LinuxPersonality?
    public var memoryPolicy: LinuxMemoryPolicy?
    /// Host interface name -> device settings inside the container.
    public var netDevices: [String: LinuxNetDevice]?

    /// The values runc accepts for `rootfsPropagation` ("" means: leave it as it is).
    public static let rootfsPropagationValues: [String] = [
        "", "shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable",
    ]

    public init(
        uidMappings: [LinuxIDMapping]? = nil, gidMappings: [LinuxIDMapping]? = nil,
        timeOffsets: [String: LinuxTimeOffset]? = nil, sysctl: [String: String]? = nil,
        resources: LinuxResources? = nil, cgroupsPath: String? = nil, namespaces: [LinuxNamespace]? = nil,
        devices: [LinuxDevice]? = nil, seccomp: LinuxSeccomp? = nil, rootfsPropagation: String? = nil,
        maskedPaths: [String]? = nil, readonlyPaths: [String]? = nil, mountLabel: String? = nil,
        intelRdt: LinuxIntelRdt? = nil, personality: LinuxPersonality? = nil,
        memoryPolicy: LinuxMemoryPolicy? = nil, netDevices: [String: LinuxNetDevice]? = nil
    ) {
        self.uidMappings = uidMappings
        self.gidMappings = gidMappings
        self.timeOffsets = timeOffsets
        self.sysctl = sysctl
        self.resources = resources
        self.cgroupsPath = cgroupsPath
        self.namespaces = namespaces
        self.devices = devices
        self.seccomp = seccomp
        self.rootfsPropagation = rootfsPropagation
        self.maskedPaths = maskedPaths
        self.readonlyPaths = readonlyPaths
        self.mountLabel = mountLabel
        self.intelRdt = intelRdt
        self.personality = personality
        self.memoryPolicy = memoryPolicy
        self.netDevices = netDevices
    }
}

/// A namespace to create (no path) or to join (path).
public struct LinuxNamespace: Sendable, Equatable {
    public var type: LinuxNamespaceType
    public var path: String?

    public init(type: LinuxNamespaceType, path: String? = nil) {
        self.type = type
        self.path = path
    }
}

public enum LinuxNamespaceType: String, SpecEnum {
    case pid
    case network
    case mount
    case ipc
    case uts
    case user
    case cgroup
    case time

    public static var vocabulary: String { "namespace type" }
}

/// One line of /proc/<pid>/uid_map or gid_map.
public struct LinuxIDMapping: Sendable, Equatable {
    public var containerID: UInt32
    public var hostID: UInt32
    public var size: UInt32

    public init(containerID: UInt32, hostID: UInt32, size: UInt32) {
        self.containerID = containerID
        self.hostID = hostID
        self.size = size
    }
}

/// Clock offset of a time namespace.
public struct LinuxTimeOffset: Sendable, Equatable {
    public var secs: Int64?
    public var nanosecs: UInt32?

    public init(secs: Int64? = nil, nanosecs: UInt32? = nil) {
        self.secs = secs
        self.nanosecs = nanosecs
    }
}

/// A device node to create inside the container.
public struct LinuxDevice: Sendable, Equatable {
    /// "c", "b", "u" (unbuffered char) or "p" (FIFO).
    public var type: String
    public var path: String
    public var major: Int64?
    public var minor: Int64?
    /// Permission bits; may also carry Go os.FileMode type bits (Podman sends them), so use `fileMode & 0o7777`.
    public var fileMode: UInt32?
    public var uid: UInt32?
    public var gid: UInt32?

    /// The device types the spec defines.
    public static let typeValues: [String] = ["c", "b", "u", "p"]

    public init(
        type: String, path: String, major: Int64? = nil, minor: Int64? = nil, fileMode: UInt32? = nil,
        uid: UInt32? = nil, gid: UInt32? = nil
    ) {
        self.type = type
        self.path = path
        self.major = major
        self.minor = minor
        self.fileMode = fileMode
        self.uid = uid
        self.gid = gid
    }
}

/// Intel Resource Director Technology settings (resctrl).
public struct LinuxIntelRdt: Sendable, Equatable {
    public var closID: String?
    /// Lines written as they are to the resctrl `schemata` file.
    public var schemata: [String]?
    public var l3CacheSchema: String?
    public var memBwSchema: String?
    public var enableCMT: Bool?
    public var enableMBM: Bool?
    public var enableMonitoring: Bool?

    public init(
        closID: String? = nil, schemata: [String]? = nil, l3CacheSchema: String? = nil, memBwSchema: String? = nil,
        enableCMT: Bool? = nil, enableMBM: Bool? = nil, enableMonitoring: Bool? = nil
    ) {
        self.closID = closID
        self.schemata = schemata
        self.l3CacheSchema = l3CacheSchema
        self.memBwSchema = memBwSchema
        self.enableCMT = enableCMT
        self.enableMBM = enableMBM
        self.enableMonitoring = enableMonitoring
    }
}

/// personality(2) request.
public struct LinuxPersonality: Sendable, Equatable {
    public var domain: LinuxPersonalityDomain
    /// The spec defines no flags yet.
    public var flags: [String]?

    public init(domain: LinuxPersonalityDomain, flags: [String]? = nil) {
        self.domain = domain
        self.flags = flags
    }
}

public enum LinuxPersonalityDomain: String, SpecEnum {
    case linux = "LINUX"
    case linux32 = "LINUX32"

    public static var vocabulary: String { "personality domain" }
}

/// set_mempolicy(2) request for the container process.
public struct LinuxMemoryPolicy: Sendable, Equatable {
    public var mode: MemoryPolicyMode
    /// NUMA node list such as "0-3,7"; "" for modes that take no nodes.
    public var nodes: String
    public var flags: [MemoryPolicyFlag]?

    public init(mode: MemoryPolicyMode, nodes: String, flags: [MemoryPolicyFlag]? = nil) {
        self.mode = mode
        self.nodes = nodes
        self.flags = flags
    }
}

public enum MemoryPolicyMode: String, SpecEnum {
    case `default` = "MPOL_DEFAULT"
    case bind = "MPOL_BIND"
    case interleave = "MPOL_INTERLEAVE"
    case weightedInterleave = "MPOL_WEIGHTED_INTERLEAVE"
    case preferred = "MPOL_PREFERRED"
    case preferredMany = "MPOL_PREFERRED_MANY"
    case local = "MPOL_LOCAL"

    public static var vocabulary: String { "memory policy mode" }
}

public enum MemoryPolicyFlag: String, SpecEnum {
    case numaBalancing = "MPOL_F_NUMA_BALANCING"
    case relativeNodes = "MPOL_F_RELATIVE_NODES"
    case staticNodes = "MPOL_F_STATIC_NODES"

    public static var vocabulary: String { "memory policy flag" }
}

/// A host network device moved into the container's network namespace.
public struct LinuxNetDevice: Sendable, Equatable {
    /// Name inside the container; the host name (the map key) when absent.
    public var name: String?

    public init(name: String? = nil) {
        self.name = name
    }
}
