#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The calling process's file context, what the kernel keeps per process in its fs_struct: the working directory
/// and root directory relative paths resolve from, and the creation mask new files' modes lose. `display` names the
/// directory in errors.
public enum FileContext {
    /// chdir(2).
    public static func changeDirectory(_ path: String) throws(SyscallError) { _ = try sys("chdir", path) { chdir(path) } }

    /// fchdir(2) to the directory `fd` names.
    public static func changeDirectory(fd: Int32, display: String) throws(SyscallError) {
        _ = try sys("fchdir", display) { fchdir(fd) }
    }

    /// getcwd(3): the working directory as the caller's root shows it.
    public static func currentDirectory() throws(SyscallError) -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buf, buf.count) != nil else { throw SyscallError("getcwd") }
        return String(cString: buf)
    }

    /// chroot(2).
    public static func changeRoot(_ path: String, display: String) throws(SyscallError) {
        _ = try sys("chroot", display) { chroot(path) }
    }

    /// umask(2); the previous mask is not needed by anyone here.
    public static func setCreationMask(_ mask: UInt32) { umask(mode_t(mask)) }
}
