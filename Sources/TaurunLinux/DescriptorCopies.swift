#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Copies of an open file descriptor: another number for the same open file (offset and flags shared), for putting
/// a file on 0, 1 or 2.
extension Files {
    /// dup2(2): `target` (0, 1 or 2) made a copy of `fd`, closing what `target` was; inherited across execve.
    public static func duplicate(_ fd: Int32, onto target: Int32) throws(SyscallError) {
        _ = try sys("dup2") { dup2(fd, target) }
    }
}
