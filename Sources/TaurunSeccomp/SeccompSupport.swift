// What this build and this kernel support, for `taurun features` (features-linux.md "seccomp").

import CLinux
import TaurunLinux
import TaurunOCI

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

public enum SeccompSupport {
    /// actions/operators: everything the compiler translates. archs: the OCI architectures this libseccomp can put in
    /// a filter. knownFlags: the OCI flags the compiler understands. supportedFlags: those the running kernel accepts.
    public static func features() -> (actions: [String], operators: [String], archs: [String], knownFlags: [String], supportedFlags: [String]) {
        let actions = LinuxSeccompAction.allCases.map(\.rawValue)
        let operators = LinuxSeccompOperator.allCases.map(\.rawValue)
        let archs = Arch.allCases.filter { SeccompVocabulary.archToken($0) != nil }.map(\.rawValue)
        let known = LinuxSeccompFlag.allCases
        let supported = known.filter { kernelAccepts(SeccompVocabulary.flag($0)) }
        return (actions, operators, archs, known.map(\.rawValue), supported.map(\.rawValue))
    }

    /// Probes a seccomp(2) filter flag the way libseccomp does, without ever installing anything: the kernel checks
    /// the flags before it copies the program, so a program whose instructions sit in unreadable memory fails with
    /// EINVAL for an unknown flag and with EFAULT (or EACCES, when the caller has neither no_new_privs nor
    /// CAP_SYS_ADMIN) for a known one. (A NULL instruction pointer would not do: the kernel refuses it with EINVAL
    /// before looking at the memory.) WAIT_KILLABLE_RECV is only valid together with NEW_LISTENER, so it is probed
    /// with it.
    static func kernelAccepts(_ flag: UInt32) -> Bool {
        var flags = flag
        if flag == SeccompKernelABI.flagWaitKillableRecv {
            flags |= SeccompKernelABI.flagNewListener
        }
        let accepted = UnreadablePage.withAddress { unreadable in
            let rc = tr_seccomp_set_mode_filter(flags, unreadable, 1)
            let probeErrno = errno
            return rc < 0 && (probeErrno == EFAULT || probeErrno == EACCES)
        }
        return accepted ?? false
    }
}
