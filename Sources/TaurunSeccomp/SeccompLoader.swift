// The only seccomp code that runs in the container child: one seccomp(SECCOMP_SET_MODE_FILTER) over bytes the parent
// compiled. ProcessSetup.prepare loads it last (after no_new_privs and the capabilities; without no_new_privs before
// the credentials, while CAP_SYS_ADMIN is held). What follows runs under the filter, so it must allow it: the sync
// messages to the parent (the notify listener sent with SCM_RIGHTS, `ready`), the wait for `start` and any
// startContainer hooks (create), the LSM label write, the signal reset and the execve through the exec trampoline.
// It must not allocate: the child may be a fork of a process whose malloc state is not safe to use.

import CLinux

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

public enum SeccompLoader {
    /// Loads `program` into the calling thread. Returns `(fd, 0)` on success, where fd is the seccomp-notify listener
    /// when `program.usesNotify` (the kernel opens it close-on-exec) and 0 otherwise; returns `(-1, errno)` on failure.
    /// Without no_new_privs the caller needs CAP_SYS_ADMIN (EACCES otherwise).
    public static func load(_ program: SeccompProgram) -> (result: Int32, errno: Int32) {
        let count = program.instructions.count / SeccompProgram.instructionSize
        guard count > 0, count <= Int(UInt16.max), program.instructions.count % SeccompProgram.instructionSize == 0 else {
            return (-1, EINVAL)
        }
        let rc = program.instructions.withUnsafeBytes { bytes in
            tr_seccomp_set_mode_filter(program.loadFlags, bytes.baseAddress, UInt16(count))
        }
        if rc < 0 {
            return (-1, errno)
        }
        return (rc, 0)
    }
}
