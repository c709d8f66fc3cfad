// Kernel seccomp ABI values (include/uapi/linux/seccomp.h, filter.h). Spelled out here because the function-like
// libseccomp macros (SCMP_ACT_ERRNO(x), SCMP_ACT_TRACE(x)) do not import into Swift, and these numbers are ABI: they
// never change. libseccomp's action values are the kernel's SECCOMP_RET_* values.

enum SeccompKernelABI {
    // Filter return actions (SECCOMP_RET_*); the low 16 bits carry data for ERRNO and TRACE.
    static let actionKillProcess: UInt32 = 0x8000_0000
    static let actionKillThread: UInt32 = 0x0000_0000
    static let actionTrap: UInt32 = 0x0003_0000
    static let actionErrnoBase: UInt32 = 0x0005_0000
    static let actionNotify: UInt32 = 0x7fc0_0000
    static let actionTraceBase: UInt32 = 0x7ff0_0000
    static let actionLog: UInt32 = 0x7ffc_0000
    static let actionAllow: UInt32 = 0x7fff_0000
    static let actionDataMask: UInt32 = 0x0000_ffff

    // seccomp(SECCOMP_SET_MODE_FILTER) flags.
    static let flagTsync: UInt32 = 1 << 0
    static let flagLog: UInt32 = 1 << 1
    static let flagSpecAllow: UInt32 = 1 << 2
    static let flagNewListener: UInt32 = 1 << 3
    static let flagTsyncEsrch: UInt32 = 1 << 4
    static let flagWaitKillableRecv: UInt32 = 1 << 5

    /// BPF_MAXINSNS: the kernel refuses longer classic-BPF programs.
    static let maxInstructions = 4096

    /// Syscall arguments a filter can inspect (seccomp_data.args has six).
    static let argumentCount: UInt32 = 6

    /// errno values used by profiles and defaults.
    static let eperm: UInt32 = 1
    static let enosys: UInt32 = 38
}
