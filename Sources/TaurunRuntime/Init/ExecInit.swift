import TaurunLinux
import TaurunSeccomp
import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// A namespace of the container to enter: an fd opened on /proc/<init>/ns/<name> by the parent before fork, so
/// the namespace stays the container's even if its init exits meanwhile.
struct NamespaceHandle {
    let kind: NamespaceKind
    let fd: Int32
    let path: String
}

/// A process `exec` adds to a running container, between fork and execve. The parent has already joined the
/// container's pid (and time) namespace for its children, so this process is born inside it; the parent puts it
/// in the container's cgroup and then sends `go`. Order, as runc's setns init: rlimits and oom_score_adj (still
/// privileged on the host) → user namespace → the other namespaces → console → stdio owner → seccomp (without
/// no_new_privs) → credentials → cwd → no_new_privs → look up the program → close fds → LSM label → seccomp
/// (with no_new_privs) → execve. It never returns: execve, or `failed` over the sync socket and `_exit`.
/// The sync socket is close-on-exec: the parent reads EOF when execve succeeded.
struct ExecInit {
    let plan: ExecPlan
    let sync: SyncChannel
    let namespaces: [NamespaceHandle]
    let consoleSocketFD: Int32
    let parentPid: pid_t
    let seccomp: SeccompProgram?

    func run() -> Never {
        Processes.hideFromContainer()
        Processes.dieWithParent(expectedParent: parentPid)
        do {
            guard case .go? = try sync.receive() else { _exit(1) }
        } catch { _exit(1) }
        let path: String
        do {
            try enterContainer()
            path = try prepareProcess()
        } catch {
            fail("\(error)")
        }
        execute(path: path)
    }

    private func fail(_ message: String) -> Never {
        try? sync.send(.failed("exec failed: unable to start container process: " + message))
        _exit(1)
    }

    private func enterContainer() throws {
        // Raising a hard limit needs CAP_SYS_RESOURCE in the initial user namespace: set limits before leaving it.
        for r in plan.rlimits { try Limits.set(resource: r.resource, soft: r.soft, hard: r.hard, name: r.name) }
        if let adj = plan.oomScoreAdj { try Files.writeValue("/proc/self/oom_score_adj", String(adj)) }
        // The user namespace first: joining it grants the capabilities needed to join the others it owns.
        for ns in namespaces where ns.kind == .user { try Namespaces.join(fd: ns.fd, kind: ns.kind, path: ns.path) }
        for ns in namespaces where ns.kind != .user && ns.kind != .pid && ns.kind != .time {
            try Namespaces.join(fd: ns.fd, kind: ns.kind, path: ns.path)
        }
        for ns in namespaces { close(ns.fd) }
    }

    /// Everything up to the program lookup; returns the path to execve.
    private func prepareProcess() throws -> String {
        if plan.terminal { try ProcessSetup.setUpConsole(socketFD: consoleSocketFD, size: plan.consoleSize) }
        try giveStdioToUser()
        if let seccomp, !plan.noNewPrivileges { try loadSeccomp(seccomp) }
        try setCredentials()
        if chdir(plan.cwd) != 0 {
            throw RuntimeError.container("chdir to cwd (\"\(plan.cwd)\") set in config.json failed: \(String(cString: strerror(errno)).lowercased())")
        }
        try ProcessSetup.checkCwdIsInside()
        if plan.noNewPrivileges { try Processes.setNoNewPrivileges() }
        let found = ProcessSetup.lookPath(plan.args[0], env: plan.env)
        guard let path = found.path else { throw RuntimeError.container(found.error ?? "exec \(plan.args[0]) failed") }
        // Nothing of the runtime may reach the container: everything above 2 (+ preserved fds) closes at exec.
        try Processes.closeOnExec(from: 3 + plan.preserveFDs)
        for fd in 3..<(3 + plan.preserveFDs) { _ = tr_fcntl_int(fd, F_SETFD, 0) }
        umask(mode_t(plan.umask ?? 0o022))
        return path
    }

    /// runc's fixStdioPermissions: stdio (the pty slave, or conmon's pipes) is handed to the process's uid so a
    /// non-root user can reopen its own terminal; /dev/null and fds already owned by the user are left alone, and an
    /// owner that is not mapped in the user namespace (EINVAL/EPERM) is not an error.
    private func giveStdioToUser() throws {
        var null = statBuf()
        guard stat("/dev/null", &null) == 0 else { throw SyscallError("stat", "/dev/null") }
        for fd: Int32 in 0...2 {
            var st = statBuf()
            if fstat(fd, &st) != 0 { continue }
            if st.st_uid == plan.uid || ((st.st_mode & 0o170000) == 0o020000 && st.st_rdev == null.st_rdev) { continue }
            if fchown(fd, plan.uid, st.st_gid) != 0 && errno != EINVAL && errno != EPERM {
                throw SyscallError("fchown", "stdio fd \(fd)")
            }
        }
    }

    /// The configured user with exactly the configured capabilities: bounding set first (needs CAP_SETPCAP), keep
    /// caps across the uid change, then the other sets.
    private func setCredentials() throws {
        if let caps = plan.capabilities { try Capabilities.limitBounding(to: caps.bounding) }
        try Processes.setKeepCapabilities(true)
        // setgroups is refused in a user namespace whose setgroups file says "deny".
        if (try? Files.readString("/proc/self/setgroups"))?.hasPrefix("deny") != true {
            try Credentials.setGroups(plan.additionalGids)
        }
        try Credentials.setGID(plan.gid)
        try Credentials.setUID(plan.uid)
        try Processes.setKeepCapabilities(false)
        if let caps = plan.capabilities { try Capabilities.apply(caps) }
        // setuid cleared the parent-death signal; re-arm it until execve.
        Processes.dieWithParent(expectedParent: parentPid)
    }

    private func loadSeccomp(_ program: SeccompProgram) throws {
        let result = SeccompLoader.load(program)
        if result.result < 0 { throw SyscallError("seccomp(SET_MODE_FILTER)", nil, rawErrno: result.errno) }
        // A notify listener would need an agent; exec does not hand it on (create's listener serves the container).
        if result.result > 0 { close(result.result) }
    }

    private func execute(path: String) -> Never {
        if let profile = plan.apparmorProfile {
            // aa_change_onexec: the profile takes effect at execve.
            do { try Files.writeValue("/proc/self/attr/apparmor/exec", "exec \(profile)") } catch {
                fail("apparmor profile \(profile): \(error)")
            }
        }
        if let seccomp, plan.noNewPrivileges {
            do { try loadSeccomp(seccomp) } catch { fail("\(error)") }
        }
        // The exec'd process outlives a detached `taurun exec`: no parent-death signal past this point.
        _ = tr_prctl(1 /* PR_SET_PDEATHSIG */, 0, 0, 0, 0)
        let error = Processes.exec(path: path, args: plan.args, env: ProcessSetup.environment(plan.env, uid: plan.uid))
        // Lower case, as Go prints it: Podman matches "permission denied" and "no such file or directory".
        fail("exec \(path): \(String(cString: strerror(error.errno.rawValue)).lowercased())")
    }
}
