import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// A program that outlives the taurun process starting it: a Tau app's user-mode network (slirp4netns), which the
/// createRuntime hook starts and leaves running for as long as the app does. Unlike `Subprocess`, nobody waits for
/// it here: it runs in its own session (a runtime or engine that kills its process group does not end it), with
/// default signal handling, stdin /dev/null, stdout and stderr on `output`, and exactly the fds the caller passes.
public enum DetachedProgram {
    /// Starts `executable` (an absolute path) with `arguments` (argv[0] included) and `environment`; `passing[i]`
    /// becomes its fd 3+i, every other fd of taurun's is closed in it. Returns its pid.
    public static func spawn(_ executable: String, arguments: [String], environment: [String], output: Int32,
                             passing fds: [Int32]) throws(SyscallError) -> pid_t {
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let rc = tr_spawn_detached(executable, &argv, &envp, output, fds, Int32(fds.count), &pid)
        guard rc == 0 else { throw SyscallError("posix_spawn", executable, rawErrno: rc) }
        return pid
    }

    /// An anonymous file (memfd, close-on-exec) that a detached program writes its output into: read back when it
    /// fails to start, never a pipe it could die of (SIGPIPE) once nobody reads it any more.
    public static func outputFile(name: String) throws(SyscallError) -> Int32 {
        // 1: MFD_CLOEXEC (linux/memfd.h is not in the Glibc module map).
        try sys("memfd_create", name) { tr_memfd_create(name, 1) }
    }
}
