import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// taurun running from a sealed memfd copy of itself (crun's defence against CVE-2019-5736), for the few setups where
/// a clone of taurun must live inside a namespace the container can see before its program starts: the init of a
/// container that joins another's pid namespace (the other container sees it while it sets up), and an init that
/// waits for `start` to run startContainer hooks. Every other path enters containers through the exec trampoline
/// and never pays for the copy (37 MB) and the second start of the Swift runtime.
public enum SealedSelf {
    static let marker = "_TAURUN_SEALED_REEXEC"

    /// True when this process's executable is a memfd that refuses writes (F_SEAL_WRITE).
    public static var isRunningSealed: Bool {
        let fd = tr_open("/proc/self/exe", O_RDONLY | O_CLOEXEC, 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let seals = tr_fcntl_int(fd, 1034 /* F_GET_SEALS */, 0)
        return seals >= 0 && (seals & 0x8 /* F_SEAL_WRITE */) != 0
    }

    /// Returns when this process runs from a sealed copy (and forgets the re-exec marker, so hooks and helpers do not
    /// inherit it); otherwise re-executes from one, and throws only when that fails.
    public static func ensure() throws(SyscallError) {
        if isRunningSealed {
            unsetenv(marker)
            return
        }
        throw reexec()
    }

    /// Copies the running executable into a sealed memfd and execs it with the same arguments and environment.
    /// Returns only on failure. A process that was already re-executed once and still is not sealed gets an error
    /// instead of a second attempt (no loop).
    public static func reexec() -> SyscallError {
        if getenv(marker) != nil {
            return SyscallError("re-exec from a sealed copy", "/proc/self/exe", errno: .notSupported)
        }
        let source = tr_open("/proc/self/exe", O_RDONLY | O_CLOEXEC, 0)
        guard source >= 0 else { return SyscallError("open", "/proc/self/exe") }
        defer { close(source) }
        var st = stat()
        guard fstat(source, &st) == 0 else { return SyscallError("fstat", "/proc/self/exe") }
        let cloexec: UInt32 = 0x1, allowSealing: UInt32 = 0x2, execOK: UInt32 = 0x10
        var copy = tr_memfd_create("taurun", cloexec | allowSealing | execOK)
        if copy < 0 && errno == EINVAL { copy = tr_memfd_create("taurun", cloexec | allowSealing) }
        guard copy >= 0 else { return SyscallError("memfd_create", "taurun") }
        defer { close(copy) }
        var offset: off_t = 0
        while offset < st.st_size {
            let n = sendfile(copy, source, &offset, Int(st.st_size - offset))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return SyscallError("sendfile", "/proc/self/exe") }
        }
        let seals: Int32 = 0x1 | 0x2 | 0x4 | 0x8   // F_SEAL_SEAL | SHRINK | GROW | WRITE
        guard tr_fcntl_int(copy, 1033 /* F_ADD_SEALS */, seals) == 0 else { return SyscallError("fcntl(F_ADD_SEALS)", "taurun") }
        guard let cmdline = try? Files.readString("/proc/self/cmdline") else { return SyscallError("read", "/proc/self/cmdline") }
        var argv: [UnsafeMutablePointer<CChar>?] = cmdline.split(separator: "\0", omittingEmptySubsequences: false)
            .dropLast().map { strdup(String($0)) } + [nil]
        defer { for p in argv { free(p) } }
        setenv(marker, "1", 1)
        _ = tr_execveat(copy, "", &argv, environ, 0x1000 /* AT_EMPTY_PATH */)
        let error = SyscallError("execveat", "memfd:taurun")
        unsetenv(marker)
        return error
    }
}
