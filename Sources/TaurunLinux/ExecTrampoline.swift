import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// The last step into a container (CVE-2019-5736): the container's program is never exec'd straight from a clone of
/// taurun. Until that execve the process's /proc/self/exe is the host's taurun binary, so a program that is
/// `/proc/self/exe`, or a script starting `#!/proc/self/exe`, would make the kernel run the host's taurun inside the
/// container, where a second process could reopen it for writing through /proc/<pid>/exe once it exits.
///
/// Instead taurun execs a tiny static ELF (CLinux/exec_trampoline.S, a few hundred bytes) from a sealed memfd, and
/// the trampoline execs the program. From then on /proc/self/exe is that memfd: it lives on no host filesystem and
/// its seals refuse every write. Copying taurun itself into a memfd (crun's way) would cost a 37 MB copy and a
/// second start of the Swift runtime per container; this costs a memfd of one page and one extra execve of an image
/// with no libc (docs/security.md has the measurements).
public struct ExecTrampoline: Sendable {
    /// The sealed memfd (close-on-exec: it reaches neither the trampoline's program nor the container).
    public let fd: Int32

    /// What the trampoline does before the program runs (its argv[0] and, but for `exec`, an fd; see
    /// exec_trampoline.S for the contract).
    public enum Mode: Sendable {
        /// exec the program.
        case exec
        /// Wait for one byte on the fd (the exec fifo: `start`), close it, exec the program.
        case waitForByte(on: Int32)
        /// Start the program in a sibling (CLONE_PARENT) born in the pid namespace the caller joined for its
        /// children, in a session of its own (with `terminal`, the pty on its stdin as controlling terminal);
        /// report its pid on the fd ('p' + 4 bytes, little-endian) and exit.
        case spawnSibling(reportingTo: Int32, terminal: Bool)

        var argumentsBeforePath: [String] {
            switch self {
            case .exec: return ["taurun-exec"]
            case .waitForByte(let fd): return ["taurun-wait", String(fd)]
            case .spawnSibling(let fd, let terminal): return [terminal ? "taurun-spawn-tty" : "taurun-spawn", String(fd)]
            }
        }

        var handedOverFD: Int32? {
            switch self {
            case .exec: return nil
            case .waitForByte(let fd), .spawnSibling(let fd, _): return fd
            }
        }
    }

    /// Makes the memfd in the calling process; the child of a clone inherits it. Call before clone.
    public static func load() throws(SyscallError) -> ExecTrampoline {
        var image: UnsafePointer<UInt8>? = nil
        let size = Int(tr_exec_trampoline(&image))
        guard size > 0, let image else { throw SyscallError("exec trampoline", nil, errno: .notSupported) }
        let cloexec: UInt32 = 0x1, allowSealing: UInt32 = 0x2, execOK: UInt32 = 0x10   // MFD_*
        var fd = tr_memfd_create("taurun-exec", cloexec | allowSealing | execOK)
        // Kernels before 6.3 do not know MFD_EXEC (their memfds are always executable).
        if fd < 0 && errno == EINVAL { fd = tr_memfd_create("taurun-exec", cloexec | allowSealing) }
        guard fd >= 0 else { throw SyscallError("memfd_create", "taurun-exec") }
        var written = 0
        while written < size {
            let n = write(fd, image + written, size - written)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { let e = SyscallError("write", "memfd:taurun-exec"); close(fd); throw e }
            written += n
        }
        // F_ADD_SEALS: no write, no resize, and no unsealing.
        let seals: Int32 = 0x1 | 0x2 | 0x4 | 0x8   // F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE
        guard tr_fcntl_int(fd, 1033 /* F_ADD_SEALS */, seals) == 0 else {
            let e = SyscallError("fcntl(F_ADD_SEALS)", "memfd:taurun-exec"); close(fd); throw e
        }
        return ExecTrampoline(fd: fd)
    }

    /// execs `path` with `args` and `env` through the trampoline, in `mode`. Returns only when the trampoline itself
    /// could not be exec'd; a failing exec of the program is reported by the trampoline (stderr, exit 126 or 127).
    public func exec(_ mode: Mode = .exec, path: String, args: [String], env: [String]) -> SyscallError {
        // The fd the trampoline uses must survive its execve; it closes it before the program's.
        if let fd = mode.handedOverFD { Processes.keepAcrossExec(fd) }
        var argv: [UnsafeMutablePointer<CChar>?] = (mode.argumentsBeforePath + [path] + args).map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        _ = tr_execveat(fd, "", &argv, &envp, 0x1000 /* AT_EMPTY_PATH */)
        let first = SyscallError("execveat", "memfd:taurun-exec")
        // A seccomp profile may allow execve but not execveat: the same memfd through its /proc/self/fd link.
        guard first.errno == .notPermitted || first.errno == .noFunction || first.errno == .permissionDenied else {
            return first
        }
        execve(Files.procPath(fd), &argv, &envp)
        return first
    }
}
