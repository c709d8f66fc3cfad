import TaurunLinux
import TaurunSeccomp

#if canImport(Glibc)
import Glibc
#endif

/// The one tail every process that enters a container goes through, the container's first process (ContainerInit)
/// and a process added by `exec` (ExecInit) alike. It runs in the child, inside the container's namespaces (after
/// pivot_root for the first process), single-threaded, still privileged, and it ends in execve.
///
/// `prepare`: own session (setsid; for exec, the sibling the trampoline starts does it) → fresh session keyring →
/// console → stdio owner → seccomp (without no_new_privs, while CAP_SYS_ADMIN is still held) → credentials and
/// capabilities → cwd (checked inside the root) → no_new_privs → look up the program → close every fd but stdio and
/// preserved ones → umask → seccomp (with no_new_privs: the last filter-relevant step).
/// `execute`: LSM labels (take effect at execve) → default signal dispositions, nothing blocked → execve through
/// the sealed trampoline (ExecTrampoline), never straight from this clone of taurun.
/// Create's init then waits for `start` as the trampoline (or, with startContainer hooks, as itself between the two
/// steps); exec calls them back to back, and the trampoline starts the program as a sibling inside the container's
/// pid namespace, so no clone of taurun is ever a process the container can see.
struct ProcessSetup {
    let plan: ProcessPlan
    let seccomp: SeccompProgram?
    /// The pid this process's parent has, as seen from here (0 across a pid namespace), for the parent-death check.
    let parentPid: pid_t
    /// The procfs handle proven to be procfs, opened before the container's /proc could be in the way: every
    /// procfs access here goes through it.
    let procfs: ProcFS

    struct Prepared {
        /// The program's path inside the container.
        var path: String
        /// The seccomp notify listener when the profile has SCMP_ACT_NOTIFY rules, else -1.
        var listener: Int32
    }

    /// `leadsSession`: this process execs the program and becomes its own session's leader (create's init); false
    /// when the trampoline starts the program as a sibling (exec), which then does setsid and TIOCSCTTY itself.
    func prepare(consoleSocketFD: Int32, leadsSession: Bool) throws -> Prepared {
        if leadsSession { try Processes.newSession() }
        if let name = plan.sessionKeyring {
            if let label = plan.selinuxLabel { try procfs.write("thread-self/attr/keycreate", label) }
            try Processes.joinSessionKeyring(named: name)
        }
        if plan.terminal { try Self.setUpConsole(socketFD: consoleSocketFD, size: plan.consoleSize, controlling: leadsSession) }
        try giveStdioToUser()
        // Without no_new_privs, loading a filter needs CAP_SYS_ADMIN, which the user process may not keep: load it
        // now, while it is still held (runc does the same). With no_new_privs it goes in last, below.
        var listener: Int32 = -1
        if let seccomp, !plan.noNewPrivileges { listener = try Self.loadSeccomp(seccomp) }
        try setCredentials()
        if chdir(plan.cwd) != 0 {
            throw RuntimeError.container("chdir to cwd (\"\(plan.cwd)\") set in config.json failed: \(String(cString: strerror(errno)).lowercased())")
        }
        try Self.checkCwdIsInside()
        if plan.noNewPrivileges { try Processes.setNoNewPrivileges() }
        let found = Self.lookPath(plan.args[0], env: plan.env)
        guard let path = found.path else { throw RuntimeError.container(found.error ?? "exec \(plan.args[0]) failed") }
        // Nothing of the runtime may reach the container: everything above 2 (+ preserved fds) closes at exec.
        try Processes.closeOnExec(from: 3 + plan.preserveFDs)
        for fd in 3..<(3 + plan.preserveFDs) { Processes.keepAcrossExec(fd) }
        umask(mode_t(plan.umask ?? 0o022))
        if let seccomp, plan.noNewPrivileges { listener = try Self.loadSeccomp(seccomp) }
        return Prepared(path: path, listener: listener)
    }

    /// Never returns: execve, or `fail` with the reason. A program the trampoline cannot exec is reported by the
    /// trampoline itself: "taurun: exec PATH: REASON" on stderr, exit 126 (permission denied) or 127, the codes
    /// Podman maps.
    func execute(_ prepared: Prepared, trampoline: ExecTrampoline, mode: ExecTrampoline.Mode = .exec,
                 fail: (String) -> Never) -> Never {
        do {
            if let profile = plan.apparmorProfile {
                // aa_change_onexec, written directly (no libapparmor needed).
                do { try procfs.write("self/attr/apparmor/exec", "exec \(profile)") } catch {
                    fail("apparmor profile \(profile): \(error)")
                }
            }
            if let label = plan.selinuxLabel {
                // setexeccon.
                do { try procfs.write("thread-self/attr/exec", label) } catch { fail("selinux label \(label): \(error)") }
            }
            try Processes.resetSignals()
        } catch {
            fail("\(error)")
        }
        // The exec'd process outlives a detached `taurun exec` and a `create`: no parent-death signal past here.
        Processes.clearParentDeathSignal()
        let error = trampoline.exec(mode, path: prepared.path, args: plan.args, env: Self.environment(plan.env, uid: plan.uid))
        fail("\(error)")
    }

    // MARK: - Steps

    /// The configured user with exactly the configured capabilities: bounding set first (needs CAP_SETPCAP), keep
    /// caps across the uid change, then effective/permitted/inheritable/ambient.
    private func setCredentials() throws {
        try Capabilities.limitBounding(to: plan.capabilities.bounding)
        try Processes.setKeepCapabilities(true)
        // setgroups is refused in a user namespace whose setgroups file says "deny".
        if (try? procfs.readString("self/setgroups"))?.hasPrefix("deny") != true {
            try Credentials.setGroups(plan.additionalGids)
        }
        try Credentials.setGID(plan.gid)
        try Credentials.setUID(plan.uid)
        try Processes.setKeepCapabilities(false)
        try Capabilities.apply(plan.capabilities)
        // setuid cleared the parent-death signal; re-arm it until execve.
        Processes.dieWithParent(expectedParent: parentPid)
    }

    /// runc's fixStdioPermissions: stdio (the pty slave, or conmon's pipes) is handed to the process's uid so a
    /// non-root user can reopen its own terminal; /dev/null and fds already owned by the user are left alone, and an
    /// owner that is not mapped in the user namespace (EINVAL/EPERM) is not an error.
    private func giveStdioToUser() throws {
        var null = statBuf()
        guard stat("/dev/null", &null) == 0 else { throw SyscallError("stat", "/dev/null") }
        for fd: Int32 in 0...2 {
            guard let st = try? Files.stat(fd: fd) else { continue }
            if st.st_uid == plan.uid || ((st.st_mode & 0o170000) == 0o020000 && st.st_rdev == null.st_rdev) { continue }
            if fchown(fd, plan.uid, st.st_gid) != 0 && errno != EINVAL && errno != EPERM {
                throw SyscallError("fchown", "stdio fd \(fd)")
            }
        }
    }

    /// Loads the filter; returns the notify listener fd, or -1 when the profile has no SCMP_ACT_NOTIFY rule.
    static func loadSeccomp(_ program: SeccompProgram) throws -> Int32 {
        let result = SeccompLoader.load(program)
        if result.result < 0 { throw SyscallError("seccomp(SET_MODE_FILTER)", nil, rawErrno: result.errno) }
        return program.usesNotify ? result.result : -1
    }

    /// A new pty on the container's devpts (Terminal.openPair trusts no path the container controls): the master
    /// goes to whoever listens on the console socket, the slave becomes the controlling terminal and stdio.
    static func setUpConsole(socketFD: Int32, size: (rows: UInt16, cols: UInt16)?, controlling: Bool) throws {
        let pair = try Terminal.openPair(rows: size?.rows ?? 0, cols: size?.cols ?? 0)
        if socketFD >= 0 {
            try Terminal.sendFD(over: socketFD, fd: pair.master, name: "/dev/ptmx")
            close(socketFD)
        }
        close(pair.master)
        if controlling { try Terminal.becomeControlling(slave: pair.slave) } else { try Terminal.useAsStdio(slave: pair.slave) }
    }

    /// Go's exec.LookPath as runc uses it: a name with a slash is taken as is, otherwise the process's own PATH
    /// (the container's, not taurun's) is searched. The error texts are runc's, because Podman maps
    /// "executable file not found" and "no such file or directory" to exit 127 and "permission denied" to 126.
    static func lookPath(_ name: String, env: [String]) -> (path: String?, error: String?) {
        if name.contains("/") {
            var st = statBuf()
            if stat(name, &st) != 0 { return (nil, "exec \(name): \(String(cString: strerror(errno)).lowercased())") }
            // execve(2) of a directory fails with EACCES: "permission denied", which Podman maps to exit 126.
            if (st.st_mode & 0o170000) == 0o040000 { return (nil, "exec \(name): permission denied (is a directory)") }
            if access(name, X_OK) != 0 { return (nil, "exec \(name): permission denied") }
            return (name, nil)
        }
        let pathVar = env.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
            ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        var denied = false
        for dir in pathVar.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (dir.isEmpty ? "." : String(dir)) + "/" + name
            var st = statBuf()
            guard stat(candidate, &st) == 0, (st.st_mode & 0o170000) == 0o100000 else { continue }
            if access(candidate, X_OK) == 0 { return (candidate, nil) }
            denied = true
        }
        if denied { return (nil, "exec: \"\(name)\": permission denied") }
        return (nil, "exec: \"\(name)\": executable file not found in $PATH")
    }

    /// CVE-2024-21626: a cwd reached through a leaked fd would sit outside the root ("(unreachable)/...").
    static func checkCwdIsInside() throws {
        var buf = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buf, buf.count) != nil else { throw SyscallError("getcwd") }
        let cwd = String(cString: buf)
        if !cwd.hasPrefix("/") {
            throw RuntimeError.container("current working directory is outside of container mount namespace root -- possible container breakout detected")
        }
    }

    /// The process's environment with HOME added from the container's /etc/passwd when the config does not set it.
    static func environment(_ env: [String], uid: UInt32) -> [String] {
        if env.contains(where: { $0.hasPrefix("HOME=") }) { return env }
        return env + ["HOME=" + (UserDatabase.home(uid: uid) ?? "/")]
    }
}
