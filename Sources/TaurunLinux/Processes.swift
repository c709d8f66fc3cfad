import CLinux

#if canImport(Glibc)
import Glibc
#endif

public enum Processes {
    /// This process's pid (getpid(2), which cannot fail).
    public static var ownPID: pid_t { getpid() }

    // prctl options and the close_range flag (linux/prctl.h, linux/close_range.h: not in the Glibc module map).
    static let prSetPdeathsig: Int32 = 1
    static let prSetDumpable: Int32 = 4
    static let prSetKeepCaps: Int32 = 8
    static let prSetName: Int32 = 15
    static let prSetNoNewPrivs: Int32 = 38
    static let closeRangeCloexec: UInt32 = 1 << 2

    public static func setParentDeathSignal(_ signal: Int32) throws(SyscallError) {
        _ = try sys("prctl(PR_SET_PDEATHSIG)") { tr_prctl(prSetPdeathsig, UInt(signal), 0, 0, 0) }
    }

    /// Non-dumpable until execve: processes in the container cannot open /proc/<pid>/exe (the taurun binary) or
    /// our memory while we work in their namespaces (CVE-2019-5736). execve of the user program makes it dumpable
    /// again.
    public static func hideFromContainer() {
        _ = tr_prctl(prSetDumpable, 0, 0, 0, 0)
    }

    /// Dumpable again, before anything of the container runs: a rootless runtime's hooks, run by the same user, can
    /// then open /proc/<pid>/ns/* (ContainerInit undoes it once they are done).
    public static func showToRuntimeHooks() {
        _ = tr_prctl(prSetDumpable, 1, 0, 0, 0)
    }

    /// A session of its own with no controlling terminal: a container must never keep the caller's terminal, or
    /// /dev/tty would open on the administrator's shell and TIOCSTI could type into it.
    public static func newSession() throws(SyscallError) {
        _ = try sys("setsid") { setsid() }
    }

    /// Every signal back to its default action and none blocked: execve keeps ignored signals and the mask, and a
    /// caller such as conmon ignores SIGPIPE and blocks others that the container's program must see.
    public static func resetSignals() throws(SyscallError) {
        for sig: Int32 in 1..<65 where sig != SIGKILL && sig != SIGSTOP {
            // The raw call: glibc's sigaction refuses 32 and 33, which the caller may have ignored all the same.
            if tr_signal_default(sig) != 0 { throw SyscallError("rt_sigaction(\(sig), SIG_DFL)") }
        }
        var none = sigset_t()
        sigemptyset(&none)
        _ = try sys("sigprocmask") { sigprocmask(SIG_SETMASK, &none, nil) }
    }

    /// The process's name (PR_SET_NAME: what ps shows), at most 15 bytes.
    public static func setName(_ name: String) {
        _ = name.withCString { tr_prctl(prSetName, UInt(bitPattern: $0), 0, 0, 0) }
    }

    /// Closes every fd from `first` to `last` (close_range(2)).
    public static func closeRange(from first: Int32, through last: Int32 = Int32.max) {
        _ = tr_close_range(UInt32(first), last == Int32.max ? UInt32.max : UInt32(last), 0)
    }

    /// Ends the parent-death signal: what is exec'd next outlives the taurun command that started it.
    public static func clearParentDeathSignal() {
        _ = tr_prctl(prSetPdeathsig, 0, 0, 0, 0)
    }

    /// Clears close-on-exec: fd stays open in the program execve starts (--preserve-fds).
    public static func keepAcrossExec(_ fd: Int32) {
        _ = tr_fcntl_int(fd, F_SETFD, 0)
    }

    /// A new, named session keyring: the caller's keys (the host's) must not be reachable from the container.
    /// Kernels without keyrings (ENOSYS) or that forbid them (EACCES) still run containers, as with runc.
    public static func joinSessionKeyring(named name: String) throws(SyscallError) {
        if tr_keyctl_join_session_keyring(name) < 0 && errno != ENOSYS && errno != EACCES {
            throw SyscallError("keyctl(JOIN_SESSION_KEYRING)", name)
        }
    }

    public static func setKeepCapabilities(_ on: Bool) throws(SyscallError) {
        _ = try sys("prctl(PR_SET_KEEPCAPS)") { tr_prctl(prSetKeepCaps, on ? 1 : 0, 0, 0, 0) }
    }

    public static func setNoNewPrivileges() throws(SyscallError) {
        _ = try sys("prctl(PR_SET_NO_NEW_PRIVS)") { tr_prctl(prSetNoNewPrivs, 1, 0, 0, 0) }
    }

    /// Marks every fd from `first` up close-on-exec (close_range CLOSE_RANGE_CLOEXEC), so nothing of the runtime
    /// leaks into the container (CVE-2024-21626).
    public static func closeOnExec(from first: Int32) throws(SyscallError) {
        let r = tr_close_range(UInt32(first), UInt32.max, closeRangeCloexec)
        if r == 0 { return }
        // Kernels before 5.11: walk the fd table instead.
        for fd in Files.list("/proc/self/fd").compactMap({ Int32($0) }) where fd >= first {
            _ = tr_fcntl_int(fd, F_SETFD, FD_CLOEXEC)
        }
    }

    /// Start time of a process (field 22 of /proc/<pid>/stat, clock ticks since boot): with the pid it identifies
    /// a process across pid reuse. Returns nil when the process is gone or a zombie.
    public static func startTime(of pid: Int32) -> UInt64? {
        guard let text = try? Files.readString("/proc/\(pid)/stat") else { return nil }
        // The command name (field 2) may hold spaces and parentheses: parse after the last ')'.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3); start time is field 22 → index 19.
        guard fields.count > 19 else { return nil }
        if fields[0] == "Z" || fields[0] == "X" { return nil }
        return UInt64(fields[19])
    }

    /// True when `pid` is alive and is still the process that started at `startTime`.
    public static func isAlive(pid: Int32, startTime: UInt64?) -> Bool {
        guard pid > 0, let now = Processes.startTime(of: pid) else { return false }
        return startTime == nil || startTime == now
    }

    /// How `awaitExit` ended.
    public enum ExitWait: Equatable, Sendable {
        /// The process was not running (gone, a zombie, or the pid now names another process) when we looked.
        case notRunning
        /// The process identified by pid + start time exited (it may be a zombie now).
        case exited
        case timedOut
        /// No pidfd_open (kernel < 5.3): the caller polls.
        case unsupported
    }

    /// Waits until the process identified by pid + start time exits, at most `timeoutMilliseconds`. A pidfd becomes
    /// readable exactly when the process exits, so this sleeps in poll(2) and wakes then; no polling interval. The
    /// start time is checked after the pidfd pins the process, so a recycled pid is never waited for.
    public static func awaitExit(pid: Int32, startTime: UInt64?, timeoutMilliseconds: Int) -> ExitWait {
        guard pid > 0 else { return .notRunning }
        let pidfd = tr_pidfd_open(pid, 0)
        if pidfd < 0 { return Glibc.errno == ENOSYS ? .unsupported : .notRunning }
        defer { Glibc.close(pidfd) }
        guard isAlive(pid: pid, startTime: startTime) else { return .notRunning }
        return awaitReadable(pidfd: pidfd, timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Waits until our own child `pid` exits, at most `timeoutMilliseconds`; false when the time ran out and it still
    /// runs. Unreaped, a child of ours keeps its pid, so no start time is needed, nor /proc (hooks run by the
    /// container's init may have none mounted). Without a pidfd (kernel < 5.3, out of fds) or when poll(2) fails, it
    /// returns true at once: no timeout is enforced.
    public static func awaitChildExit(_ pid: pid_t, timeoutMilliseconds: Int) -> Bool {
        let pidfd = tr_pidfd_open(pid, 0)
        if pidfd < 0 { return true }
        defer { Glibc.close(pidfd) }
        return awaitReadable(pidfd: pidfd, timeoutMilliseconds: timeoutMilliseconds) != .timedOut
    }

    /// Sleeps in poll(2) until `pidfd` is readable (its process exited): .exited, .timedOut, or .unsupported when
    /// poll fails.
    static func awaitReadable(pidfd: Int32, timeoutMilliseconds: Int) -> ExitWait {
        let deadline = MonotonicClock.milliseconds() + timeoutMilliseconds
        while true {
            let left = deadline - MonotonicClock.milliseconds()
            if left <= 0 { return .timedOut }
            var pfd = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
            let r = poll(&pfd, 1, Int32(clamping: left))
            if r > 0 { return .exited }
            if r == 0 { return .timedOut }
            if Glibc.errno != EINTR { return .unsupported }
        }
    }

    /// Sends `signal` to exactly the process identified by pid + start time: the pidfd pins the process, and the
    /// start time is checked after pinning so a recycled pid is never signalled.
    public static func signal(pid: Int32, startTime: UInt64?, _ signal: Int32) throws(SyscallError) {
        let pidfd = tr_pidfd_open(pid, 0)
        if pidfd < 0 {
            if Glibc.errno == ENOSYS {
                guard isAlive(pid: pid, startTime: startTime) else { throw SyscallError("kill", nil, errno: .noSuchProcess) }
                _ = try sys("kill") { Glibc.kill(pid, signal) }
                return
            }
            throw SyscallError("pidfd_open")
        }
        defer { Glibc.close(pidfd) }
        guard isAlive(pid: pid, startTime: startTime) else { throw SyscallError("kill", nil, errno: .noSuchProcess) }
        _ = try sys("pidfd_send_signal") { tr_pidfd_send_signal(pidfd, signal) }
    }

    /// kill(2) of a pid taurun does not own and cannot pin (the members of a frozen or otherwise held cgroup):
    /// ESRCH, a process that is already gone, is thrown like any other errno for the caller to judge.
    public static func sendSignal(_ signal: Int32, to pid: pid_t) throws(SyscallError) {
        _ = try sys("kill", "pid \(pid)") { Glibc.kill(pid, signal) }
    }

    /// Sends `signal` to `pid`, a child of ours not yet reaped (so its pid names no other process), or to a
    /// process whose pid a held lock pins; a child that already exited is no error.
    public static func signalChild(_ pid: pid_t, _ signal: Int32) {
        _ = Glibc.kill(pid, signal)
    }

    /// Waits for `pid`; returns the shell-style exit code (status, or 128+signal).
    public static func wait(_ pid: pid_t, options: Int32 = 0) throws(SyscallError) -> Int32? {
        var status: Int32 = 0
        let r = try sys("waitpid") { waitpid(pid, &status, options) }
        if r == 0 { return nil }
        return exitCode(fromWaitStatus: status)
    }

    /// Waits for our child `pid` like `wait`, but returns to `interrupted` each time a signal interrupts the wait
    /// (for the foreground commands to forward what their handlers recorded), then waits again.
    public static func wait(_ pid: pid_t, interrupted: () -> Void) throws(SyscallError) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard Glibc.errno == EINTR else { throw SyscallError("waitpid") }
            interrupted()
        }
        return exitCode(fromWaitStatus: status)
    }

    public static func exitCode(fromWaitStatus status: Int32) -> Int32 {
        let sig = status & 0x7f
        if sig == 0 { return (status >> 8) & 0xff }
        return 128 + sig
    }

    /// Parent death signal plus a check that the parent is still `expectedParent`: the parent may have died
    /// between fork and prctl, in which case no signal would ever come. In a new pid namespace the parent is
    /// invisible (getppid() is 0): pass 0, and rely on the sync socket's EOF instead.
    public static func dieWithParent(expectedParent: pid_t) {
        _ = tr_prctl(prSetPdeathsig, UInt(SIGKILL), 0, 0, 0)
        if getppid() != expectedParent { _exit(1) }
    }
}
