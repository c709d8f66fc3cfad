// A compiled seccomp filter: the classic-BPF bytes libseccomp generated in the parent, plus the seccomp(2) flags
// to load them with. Plain data, so the runtime can hand it to the container child (or cache it) and the child only
// has to make one syscall.

public struct SeccompProgram: Sendable, Equatable {
    /// Raw `struct sock_filter` array in host byte order, 8 bytes per instruction.
    public let instructions: [UInt8]
    /// SECCOMP_FILTER_FLAG_* to pass to seccomp(SECCOMP_SET_MODE_FILTER).
    public let loadFlags: UInt32
    /// True when some rule uses SCMP_ACT_NOTIFY; `loadFlags` then includes SECCOMP_FILTER_FLAG_NEW_LISTENER and the
    /// loader returns the listener fd.
    public let usesNotify: Bool
    /// Syscall names in the profile that libseccomp does not know on this host; skipped as runc does.
    public let skippedSyscalls: [String]

    public init(instructions: [UInt8], loadFlags: UInt32, usesNotify: Bool, skippedSyscalls: [String] = []) {
        self.instructions = instructions
        self.loadFlags = loadFlags
        self.usesNotify = usesNotify
        self.skippedSyscalls = skippedSyscalls
    }

    /// Size of one `struct sock_filter` (u16 code, u8 jt, u8 jf, u32 k).
    public static let instructionSize = 8

    /// Number of BPF instructions in `instructions`.
    public var instructionCount: Int { instructions.count / Self.instructionSize }
}
