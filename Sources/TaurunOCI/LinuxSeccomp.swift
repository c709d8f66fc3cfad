// `linux.seccomp` of config.json (config-linux.md "Seccomp"): the syscall filter, as data; TaurunSeccomp compiles it.

public struct LinuxSeccomp: Sendable, Equatable {
    public var defaultAction: LinuxSeccompAction
    public var defaultErrnoRet: UInt32?
    public var architectures: [Arch]?
    public var flags: [LinuxSeccompFlag]?
    public var listenerPath: String?
    public var listenerMetadata: String?
    public var syscalls: [LinuxSyscall]?

    public init(
        defaultAction: LinuxSeccompAction, defaultErrnoRet: UInt32? = nil, architectures: [Arch]? = nil,
        flags: [LinuxSeccompFlag]? = nil, listenerPath: String? = nil, listenerMetadata: String? = nil,
        syscalls: [LinuxSyscall]? = nil
    ) {
        self.defaultAction = defaultAction
        self.defaultErrnoRet = defaultErrnoRet
        self.architectures = architectures
        self.flags = flags
        self.listenerPath = listenerPath
        self.listenerMetadata = listenerMetadata
        self.syscalls = syscalls
    }
}

/// One rule: these syscalls (with these argument conditions) get this action.
public struct LinuxSyscall: Sendable, Equatable {
    public var names: [String]
    public var action: LinuxSeccompAction
    public var errnoRet: UInt32?
    public var args: [LinuxSeccompArg]?

    public init(names: [String], action: LinuxSeccompAction, errnoRet: UInt32? = nil, args: [LinuxSeccompArg]? = nil) {
        self.names = names
        self.action = action
        self.errnoRet = errnoRet
        self.args = args
    }
}

/// A condition on one syscall argument.
public struct LinuxSeccompArg: Sendable, Equatable {
    public var index: UInt32
    public var value: UInt64
    public var valueTwo: UInt64?
    public var op: LinuxSeccompOperator

    public init(index: UInt32, value: UInt64, valueTwo: UInt64? = nil, op: LinuxSeccompOperator) {
        self.index = index
        self.value = value
        self.valueTwo = valueTwo
        self.op = op
    }
}

public enum LinuxSeccompAction: String, SpecEnum {
    case kill = "SCMP_ACT_KILL"
    case killProcess = "SCMP_ACT_KILL_PROCESS"
    case killThread = "SCMP_ACT_KILL_THREAD"
    case trap = "SCMP_ACT_TRAP"
    case errno = "SCMP_ACT_ERRNO"
    case trace = "SCMP_ACT_TRACE"
    case allow = "SCMP_ACT_ALLOW"
    case log = "SCMP_ACT_LOG"
    case notify = "SCMP_ACT_NOTIFY"

    public static var vocabulary: String { "seccomp action" }
}

/// Seccomp architectures, spelled as libseccomp's SCMP_ARCH_* names.
public enum Arch: String, SpecEnum {
    case x86 = "SCMP_ARCH_X86"
    case x86_64 = "SCMP_ARCH_X86_64"
    case x32 = "SCMP_ARCH_X32"
    case arm = "SCMP_ARCH_ARM"
    case aarch64 = "SCMP_ARCH_AARCH64"
    case mips = "SCMP_ARCH_MIPS"
    case mips64 = "SCMP_ARCH_MIPS64"
    case mips64n32 = "SCMP_ARCH_MIPS64N32"
    case mipsel = "SCMP_ARCH_MIPSEL"
    case mipsel64 = "SCMP_ARCH_MIPSEL64"
    case mipsel64n32 = "SCMP_ARCH_MIPSEL64N32"
    case ppc = "SCMP_ARCH_PPC"
    case ppc64 = "SCMP_ARCH_PPC64"
    case ppc64le = "SCMP_ARCH_PPC64LE"
    case s390 = "SCMP_ARCH_S390"
    case s390x = "SCMP_ARCH_S390X"
    case parisc = "SCMP_ARCH_PARISC"
    case parisc64 = "SCMP_ARCH_PARISC64"
    case riscv64 = "SCMP_ARCH_RISCV64"
    case loongarch64 = "SCMP_ARCH_LOONGARCH64"
    case m68k = "SCMP_ARCH_M68K"
    case sh = "SCMP_ARCH_SH"
    case sheb = "SCMP_ARCH_SHEB"

    public static var vocabulary: String { "seccomp architecture" }
}

/// Flags passed to seccomp(2) SECCOMP_SET_MODE_FILTER.
public enum LinuxSeccompFlag: String, SpecEnum {
    case tsync = "SECCOMP_FILTER_FLAG_TSYNC"
    case log = "SECCOMP_FILTER_FLAG_LOG"
    case specAllow = "SECCOMP_FILTER_FLAG_SPEC_ALLOW"
    case waitKillableRecv = "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"

    public static var vocabulary: String { "seccomp flag" }
}

public enum LinuxSeccompOperator: String, SpecEnum {
    case notEqual = "SCMP_CMP_NE"
    case lessThan = "SCMP_CMP_LT"
    case lessEqual = "SCMP_CMP_LE"
    case equalTo = "SCMP_CMP_EQ"
    case greaterEqual = "SCMP_CMP_GE"
    case greaterThan = "SCMP_CMP_GT"
    case maskedEqual = "SCMP_CMP_MASKED_EQ"

    public static var vocabulary: String { "seccomp operator" }
}
