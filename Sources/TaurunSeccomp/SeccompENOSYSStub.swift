// A prologue in front of libseccomp's program that answers ENOSYS, not the default action, for native syscalls
// newer than any syscall the profile names. A profile written before a syscall existed cannot mean to forbid it,
// and libc and other programs probe new syscalls and fall back only on ENOSYS (glibc: clone3, fchmodat2, ...);
// an EPERM there breaks them. runc does the same (libcontainer/seccomp/patchbpf), only for profiles whose default
// action refuses: with ALLOW, LOG or TRACE as the default, unknown syscalls already reach the kernel.
//
// Only the native architecture gets the prologue; other architectures in the filter fall through to libseccomp's
// program unchanged. On x86_64, x32 syscalls (bit 30 set in the number) fall through too.

import CSeccomp
import TaurunOCI

enum SeccompENOSYSStub {
    // Classic-BPF opcodes (include/uapi/linux/filter.h).
    private static let loadWordAbsolute: UInt16 = 0x20  // BPF_LD | BPF_W | BPF_ABS
    private static let jumpIfEqual: UInt16 = 0x15  // BPF_JMP | BPF_JEQ | BPF_K
    private static let jumpIfGreater: UInt16 = 0x25  // BPF_JMP | BPF_JGT | BPF_K
    private static let jumpIfBitsSet: UInt16 = 0x45  // BPF_JMP | BPF_JSET | BPF_K
    private static let returnConstant: UInt16 = 0x06  // BPF_RET | BPF_K
    // Offsets in struct seccomp_data.
    private static let syscallNumberOffset: UInt32 = 0
    private static let architectureOffset: UInt32 = 4
    /// __X32_SYSCALL_BIT: x32 syscalls arrive as AUDIT_ARCH_X86_64 with this bit set.
    private static let x32SyscallBit: UInt32 = 0x4000_0000
    private static let auditArchX86_64: UInt32 = 0xC000_003E

    /// Whether a profile with this default action gets the prologue.
    static func applies(to defaultAction: LinuxSeccompAction) -> Bool {
        switch defaultAction {
        case .allow, .log, .trace, .notify: return false
        case .errno, .kill, .killThread, .killProcess, .trap: return true
        }
    }

    /// The prologue's bytes, or nothing when `largestSyscall` is nil (the profile names no native syscall).
    static func prologue(largestSyscall: Int32?) -> [UInt8] {
        guard let largestSyscall, largestSyscall >= 0 else { return [] }
        let native = seccomp_arch_native()
        let checksX32 = native == auditArchX86_64
        // Jump offsets count from the next instruction; the program proper starts right after the ENOSYS return.
        var code: [(UInt16, UInt8, UInt8, UInt32)] = [(loadWordAbsolute, 0, 0, architectureOffset)]
        code.append((jumpIfEqual, 0, checksX32 ? 4 : 3, native))  // another architecture: straight to the program
        code.append((loadWordAbsolute, 0, 0, syscallNumberOffset))
        if checksX32 {
            code.append((jumpIfBitsSet, 2, 0, x32SyscallBit))  // x32: to the program
        }
        code.append((jumpIfGreater, 0, 1, UInt32(largestSyscall)))  // newer than the profile: ENOSYS
        code.append((returnConstant, 0, 0, SeccompKernelABI.actionErrnoBase | SeccompKernelABI.enosys))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(code.count * SeccompProgram.instructionSize)
        for (opcode, jumpTrue, jumpFalse, constant) in code {
            // struct sock_filter { __u16 code; __u8 jt; __u8 jf; __u32 k; } in host byte order, as libseccomp exports.
            withUnsafeBytes(of: opcode) { bytes.append(contentsOf: $0) }
            bytes.append(jumpTrue)
            bytes.append(jumpFalse)
            withUnsafeBytes(of: constant) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }
}
