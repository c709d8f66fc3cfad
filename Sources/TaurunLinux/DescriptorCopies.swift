import CLinux

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Copies of an open file descriptor: another number for the same open file (offset and flags shared), for listing
/// a directory without giving up the caller's fd, handing an fd to a helper program, or putting a file on 0, 1 or 2.
/// `display` names the file in errors. fcntl through the shim: Glibc's Swift overlay of the variadic fcntl is a Swift
/// function, which cross-module optimisation would inline into the callers, out of TaurunLinux.
extension Files {
    /// fcntl(F_DUPFD_CLOEXEC): a close-on-exec copy at the lowest free number from 3 (never one of stdin, stdout and
    /// stderr, which may be closed when taurun starts).
    public static func duplicate(_ fd: Int32, display: String? = nil) throws(SyscallError) -> Int32 {
        try sys("dup", display) { tr_fcntl_int(fd, F_DUPFD_CLOEXEC, 3) }
    }

    /// fcntl(F_DUPFD): a copy from 3 up *without* close-on-exec, which a program taurun starts inherits and can open as
    /// `/proc/self/fd/N`, naming exactly that inode (setfacl on a tree walked by fd).
    public static func inheritableCopy(of fd: Int32, display: String) throws(SyscallError) -> Int32 {
        try sys("fcntl(F_DUPFD)", display) { tr_fcntl_int(fd, F_DUPFD, 3) }
    }

    /// dup2(2): `target` (0, 1 or 2) made a copy of `fd`, closing what `target` was; inherited across execve.
    public static func duplicate(_ fd: Int32, onto target: Int32) throws(SyscallError) {
        _ = try sys("dup2") { dup2(fd, target) }
    }
}
