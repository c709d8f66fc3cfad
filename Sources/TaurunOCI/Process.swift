// `process` of config.json (config.md "Process", plus the Linux process fields of 1.2).

/// The container's process: what to run, as whom, with which limits.
public struct Process: Sendable, Equatable {
    public var terminal: Bool?
    public var consoleSize: Box?
    /// REQUIRED.
    public var user: User
    public var args: [String]?
    /// Windows only; kept so a config that carries it round-trips.
    public var commandLine: String?
    public var env: [String]?
    /// REQUIRED, absolute inside the container.
    public var cwd: String
    public var capabilities: LinuxCapabilities?
    public var rlimits: [POSIXRlimit]?
    public var noNewPrivileges: Bool?
    public var apparmorProfile: String?
    public var oomScoreAdj: Int?
    public var selinuxLabel: String?
    public var ioPriority: LinuxIOPriority?
    public var scheduler: Scheduler?
    public var execCPUAffinity: CPUAffinity?

    public init(
        terminal: Bool? = nil, consoleSize: Box? = nil, user: User, args: [String]? = nil, commandLine: String? = nil,
        env: [String]? = nil, cwd: String, capabilities: LinuxCapabilities? = nil, rlimits: [POSIXRlimit]? = nil,
        noNewPrivileges: Bool? = nil, apparmorProfile: String? = nil, oomScoreAdj: Int? = nil,
        selinuxLabel: String? = nil, ioPriority: LinuxIOPriority? = nil, scheduler: Scheduler? = nil,
        execCPUAffinity: CPUAffinity? = nil
    ) {
        self.terminal = terminal
        self.consoleSize = consoleSize
        self.user = user
        self.args = args
        self.commandLine = commandLine
        self.env = env
        self.cwd = cwd
        self.capabilities = capabilities
        self.rlimits = rlimits
        self.noNewPrivileges = noNewPrivileges
        self.apparmorProfile = apparmorProfile
        self.oomScoreAdj = oomScoreAdj
        self.selinuxLabel = selinuxLabel
        self.ioPriority = ioPriority
        self.scheduler = scheduler
        self.execCPUAffinity = execCPUAffinity
    }
}

/// Console size of a terminal process.
public struct Box: Sendable, Equatable {
    public var height: UInt32
    public var width: UInt32

    public init(height: UInt32, width: UInt32) {
        self.height = height
        self.width = width
    }
}

/// Credentials of the process.
public struct User: Sendable, Equatable {
    public var uid: UInt32
    public var gid: UInt32
    public var umask: UInt32?
    public var additionalGids: [UInt32]?
    /// Windows only.
    public var username: String?

    public init(uid: UInt32, gid: UInt32, umask: UInt32? = nil, additionalGids: [UInt32]? = nil, username: String? = nil) {
        self.uid = uid
        self.gid = gid
        self.umask = umask
        self.additionalGids = additionalGids
        self.username = username
    }
}

/// One setrlimit(2) request.
public struct POSIXRlimit: Sendable, Equatable {
    public var type: POSIXRlimitType
    public var hard: UInt64
    public var soft: UInt64

    public init(type: POSIXRlimitType, hard: UInt64, soft: UInt64) {
        self.type = type
        self.hard = hard
        self.soft = soft
    }
}

/// The Linux rlimit names the spec allows (getrlimit(2)).
public enum POSIXRlimitType: String, SpecEnum {
    case addressSpace = "RLIMIT_AS"
    case core = "RLIMIT_CORE"
    case cpu = "RLIMIT_CPU"
    case data = "RLIMIT_DATA"
    case fsize = "RLIMIT_FSIZE"
    case locks = "RLIMIT_LOCKS"
    case memlock = "RLIMIT_MEMLOCK"
    case msgqueue = "RLIMIT_MSGQUEUE"
    case nice = "RLIMIT_NICE"
    case nofile = "RLIMIT_NOFILE"
    case nproc = "RLIMIT_NPROC"
    case rss = "RLIMIT_RSS"
    case rtprio = "RLIMIT_RTPRIO"
    case rttime = "RLIMIT_RTTIME"
    case sigpending = "RLIMIT_SIGPENDING"
    case stack = "RLIMIT_STACK"

    public static var vocabulary: String { "rlimit type" }

    /// The RLIMIT_* resource number of <asm-generic/resource.h> (the same on every Linux architecture taurun builds for).
    public var resource: Int32 {
        switch self {
        case .cpu: 0
        case .fsize: 1
        case .data: 2
        case .stack: 3
        case .core: 4
        case .rss: 5
        case .nproc: 6
        case .nofile: 7
        case .memlock: 8
        case .addressSpace: 9
        case .locks: 10
        case .sigpending: 11
        case .msgqueue: 12
        case .nice: 13
        case .rtprio: 14
        case .rttime: 15
        }
    }
}

/// The five capability sets; names are "CAP_*" strings as in capabilities(7).
public struct LinuxCapabilities: Sendable, Equatable {
    public var bounding: [String]?
    public var effective: [String]?
    public var inheritable: [String]?
    public var permitted: [String]?
    public var ambient: [String]?

    public init(
        bounding: [String]? = nil, effective: [String]? = nil, inheritable: [String]? = nil,
        permitted: [String]? = nil, ambient: [String]? = nil
    ) {
        self.bounding = bounding
        self.effective = effective
        self.inheritable = inheritable
        self.permitted = permitted
        self.ambient = ambient
    }

    /// `CAP_` then [A-Z0-9_]: the form every capability name takes. The one check of it, for the validator and the
    /// runtime's resolver alike; whether this kernel has the capability is the runtime's call (runc warns and
    /// skips names it does not know).
    public static func isWellFormedName(_ name: String) -> Bool {
        guard name.hasPrefix("CAP_"), name.utf8.count > 4 else { return false }
        return name.utf8.dropFirst(4).allSatisfy { byte in
            (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_")
        }
    }
}

/// ioprio_set(2) request for the process.
public struct LinuxIOPriority: Sendable, Equatable {
    public var `class`: IOPriorityClass
    public var priority: Int

    public init(class: IOPriorityClass, priority: Int) {
        self.class = `class`
        self.priority = priority
    }
}

public enum IOPriorityClass: String, SpecEnum {
    case realtime = "IOPRIO_CLASS_RT"
    case bestEffort = "IOPRIO_CLASS_BE"
    case idle = "IOPRIO_CLASS_IDLE"

    public static var vocabulary: String { "I/O priority class" }
}

/// sched_setattr(2) request for the process.
public struct Scheduler: Sendable, Equatable {
    /// REQUIRED.
    public var policy: LinuxSchedulerPolicy
    public var nice: Int32?
    public var priority: Int32?
    public var flags: [LinuxSchedulerFlag]?
    public var runtime: UInt64?
    public var deadline: UInt64?
    public var period: UInt64?

    public init(
        policy: LinuxSchedulerPolicy, nice: Int32? = nil, priority: Int32? = nil, flags: [LinuxSchedulerFlag]? = nil,
        runtime: UInt64? = nil, deadline: UInt64? = nil, period: UInt64? = nil
    ) {
        self.policy = policy
        self.nice = nice
        self.priority = priority
        self.flags = flags
        self.runtime = runtime
        self.deadline = deadline
        self.period = period
    }
}

public enum LinuxSchedulerPolicy: String, SpecEnum {
    case other = "SCHED_OTHER"
    case fifo = "SCHED_FIFO"
    case roundRobin = "SCHED_RR"
    case batch = "SCHED_BATCH"
    case iso = "SCHED_ISO"
    case idle = "SCHED_IDLE"
    case deadline = "SCHED_DEADLINE"

    public static var vocabulary: String { "scheduler policy" }
}

public enum LinuxSchedulerFlag: String, SpecEnum {
    case resetOnFork = "SCHED_FLAG_RESET_ON_FORK"
    case reclaim = "SCHED_FLAG_RECLAIM"
    case deadlineOverrun = "SCHED_FLAG_DL_OVERRUN"
    case keepPolicy = "SCHED_FLAG_KEEP_POLICY"
    case keepParams = "SCHED_FLAG_KEEP_PARAMS"
    case utilClampMin = "SCHED_FLAG_UTIL_CLAMP_MIN"
    case utilClampMax = "SCHED_FLAG_UTIL_CLAMP_MAX"

    public static var vocabulary: String { "scheduler flag" }
}

/// CPU affinity of `exec`'d processes: `initial` while joining the container, `final` once inside.
/// Values are cpu lists such as "0-3,7".
public struct CPUAffinity: Sendable, Equatable {
    public var initial: String?
    public var final: String?

    public init(initial: String? = nil, final: String? = nil) {
        self.initial = initial
        self.final = final
    }
}
