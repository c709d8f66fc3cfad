import TaurunLinux
import TaurunSeccomp
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

/// The one tail every process that enters a container goes through, the container's first process (ContainerInit)
/// and a process added by `exec` (ExecInit) alike. It runs in the child, inside the container's namespaces (after
/// pivot_root for the first process), single-threaded, still privileged, and it ends in execve.
///
/// `prepare`: own session (setsid; for exec, the sibling the trampoline starts does it) → fresh session keyring →
/// console → stdio owner → seccomp (without no_new_privs, while CAP_SYS_ADMIN is still held) → credentials and
/// capabilities → cwd (checked inside the root) → no_new_privs → look up the program and HOME → close every fd but
/// stdio and preserved ones → umask → seccomp (with no_new_privs: the last filter-relevant step).
/// `execute`: LSM labels (take effect at execve) → default signal dispositions, nothing blocked → execve through
/// the sealed trampoline (ExecTrampoline), never straight from this clone of taurun.
/// Create's init then waits for `start` as the trampoline (or, with startContainer hooks, as itself between the two
/// steps); exec calls them back to back, and the trampoline starts the program as a sibling inside the container's
/// pid namespace, so no clone of taurun is ever a process the container can see.
struct ProcessSetup<Kernel: InitKernel> {
    let kernel: Kernel
    let plan: ProcessPlan
    let seccomp: SeccompProgram?
    /// The pid this process's parent has, as seen from here (0 across a pid namespace), for the parent-death check.
    let parentPid: pid_t
    /// The procfs handle proven to be procfs, opened before the container's /proc could be in the way: every
    /// procfs access here goes through it.
    let procfs: Kernel.ProcHandle

    struct Prepared {
        /// The program's path inside the container.
        var path: String
        /// The program's environment, HOME filled in.
        var env: [String]
        /// The seccomp notify listener when the profile has SCMP_ACT_NOTIFY rules, else -1.
        var listener: Int32
    }

    /// `leadsSession`: this process execs the program and becomes its own session's leader (create's init); false
    /// when the trampoline starts the program as a sibling (exec), which then does setsid and TIOCSCTTY itself.
    func prepare(consoleSocketFD: Int32, leadsSession: Bool) throws -> Prepared {
        if leadsSession { try kernel.newSession() }
        if let name = plan.sessionKeyring {
            if let label = plan.selinuxLabel { try kernel.write(procfs, "thread-self/attr/keycreate", label) }
            try kernel.joinSessionKeyring(named: name)
        }
        if plan.terminal { try kernel.setUpConsole(socketFD: consoleSocketFD, size: plan.consoleSize, controlling: leadsSession) }
        try giveStdioToUser()
        // Without no_new_privs, loading a filter needs CAP_SYS_ADMIN, which the user process may not keep: load it
        // now, while it is still held (runc does the same). With no_new_privs it goes in last, below.
        var listener: Int32 = -1
        if let seccomp, !plan.noNewPrivileges { listener = try kernel.loadSeccomp(seccomp) }
        try setCredentials()
        do { try kernel.changeDirectory(plan.cwd) } catch {
            throw RuntimeError.container("chdir to cwd (\"\(plan.cwd)\") set in config.json failed: \(errnoText(error.errno.rawValue).lowercased())")
        }
        try checkCwdIsInside()
        if plan.noNewPrivileges { try kernel.setNoNewPrivileges() }
        let found = lookPath(plan.args[0], env: plan.env)
        guard let path = found.path else { throw RuntimeError.container(found.error ?? "exec \(plan.args[0]) failed") }
        // Read here, not after the filter is in: the container's /etc/passwd is still taurun's business.
        let env = environment()
        // Nothing of the runtime may reach the container: everything above 2 (+ preserved fds) closes at exec.
        try kernel.closeOnExec(from: 3 + plan.preserveFDs)
        for fd in 3..<(3 + plan.preserveFDs) { kernel.keepAcrossExec(fd) }
        kernel.setUmask(plan.umask ?? 0o022)
        if let seccomp, plan.noNewPrivileges { listener = try kernel.loadSeccomp(seccomp) }
        return Prepared(path: path, env: env, listener: listener)
    }

    /// Returns only when the program could not be exec'd, with the reason. A program the trampoline cannot exec is
    /// reported by the trampoline itself: "taurun: exec PATH: REASON" on stderr, exit 126 (permission denied) or
    /// 127, the codes Podman maps.
    func execute(_ prepared: Prepared, trampoline: ExecTrampoline, mode: ExecTrampoline.Mode = .exec) -> String {
        if let profile = plan.apparmorProfile {
            // aa_change_onexec, written directly (no libapparmor needed).
            do { try kernel.write(procfs, "self/attr/apparmor/exec", "exec \(profile)") } catch {
                return "apparmor profile \(profile): \(error)"
            }
        }
        if let label = plan.selinuxLabel {
            // setexeccon.
            do { try kernel.write(procfs, "thread-self/attr/exec", label) } catch { return "selinux label \(label): \(error)" }
        }
        do { try kernel.resetSignals() } catch { return "\(error)" }
        // The exec'd process outlives a detached `taurun exec` and a `create`: no parent-death signal past here.
        kernel.clearParentDeathSignal()
        return "\(kernel.exec(trampoline, mode, path: prepared.path, args: plan.args, env: prepared.env))"
    }

    // MARK: - Steps

    /// The configured user with exactly the configured capabilities: bounding set first (needs CAP_SETPCAP), keep
    /// caps across the uid change, then effective/permitted/inheritable/ambient.
    private func setCredentials() throws {
        try kernel.limitBounding(to: plan.capabilities.bounding)
        try kernel.setKeepCapabilities(true)
        // setgroups is refused in a user namespace whose setgroups file says "deny".
        if (try? kernel.readString(procfs, "self/setgroups"))?.hasPrefix("deny") != true {
            try kernel.setGroups(plan.additionalGids)
        }
        try kernel.setGID(plan.gid)
        try kernel.setUID(plan.uid)
        try kernel.setKeepCapabilities(false)
        try kernel.applyCapabilities(plan.capabilities)
        // setuid cleared the parent-death signal; re-arm it until execve.
        kernel.dieWithParent(expectedParent: parentPid)
    }

    /// runc's fixStdioPermissions: stdio (the pty slave, or conmon's pipes) is handed to the process's uid so a
    /// non-root user can reopen its own terminal; /dev/null and fds already owned by the user are left alone, and an
    /// owner that is not mapped in the user namespace (EINVAL/EPERM) is not an error.
    private func giveStdioToUser() throws {
        let null = try kernel.stat(path: "/dev/null")
        for fd: Int32 in 0...2 {
            guard let st = try? kernel.stat(fd: fd) else { continue }
            if st.st_uid == plan.uid || (FileKind(mode: st.st_mode) == .characterDevice && st.st_rdev == null.st_rdev) { continue }
            do { try kernel.changeOwner(fd: fd, uid: plan.uid, gid: st.st_gid) } catch {
                if error.errno != .invalidArgument && error.errno != .notPermitted {
                    throw SyscallError("fchown", "stdio fd \(fd)", errno: error.errno)
                }
            }
        }
    }

    /// Go's exec.LookPath as runc uses it: a name with a slash is taken as is, otherwise the process's own PATH
    /// (the container's, not taurun's) is searched. The error texts are runc's, because Podman maps
    /// "executable file not found" and "no such file or directory" to exit 127 and "permission denied" to 126.
    func lookPath(_ name: String, env: [String]) -> (path: String?, error: String?) {
        if name.contains("/") {
            let st: Glibc.stat
            do { st = try kernel.stat(path: name) } catch {
                return (nil, "exec \(name): \(errnoText(error.errno.rawValue).lowercased())")
            }
            // execve(2) of a directory fails with EACCES: "permission denied", which Podman maps to exit 126.
            if FileKind(mode: st.st_mode) == .directory { return (nil, "exec \(name): permission denied (is a directory)") }
            if !kernel.isExecutable(name) { return (nil, "exec \(name): permission denied") }
            return (name, nil)
        }
        let pathVar = env.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
            ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        var denied = false
        for dir in pathVar.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (dir.isEmpty ? "." : String(dir)) + "/" + name
            guard let st = try? kernel.stat(path: candidate), FileKind(mode: st.st_mode) == .regular else { continue }
            if kernel.isExecutable(candidate) { return (candidate, nil) }
            denied = true
        }
        if denied { return (nil, "exec: \"\(name)\": permission denied") }
        return (nil, "exec: \"\(name)\": executable file not found in $PATH")
    }

    /// CVE-2024-21626: a cwd reached through a leaked fd would sit outside the root ("(unreachable)/...").
    private func checkCwdIsInside() throws {
        if !(try kernel.currentDirectory()).hasPrefix("/") {
            throw RuntimeError.container("current working directory is outside of container mount namespace root -- possible container breakout detected")
        }
    }

    /// The process's environment with HOME added from the container's /etc/passwd when the config does not set it.
    private func environment() -> [String] {
        if plan.env.contains(where: { $0.hasPrefix("HOME=") }) { return plan.env }
        return plan.env + ["HOME=" + (UserDatabase.home(uid: plan.uid, passwd: kernel.readFile("/etc/passwd")) ?? "/")]
    }
}

/// /etc/passwd of the container, read directly (no NSS inside a container).
enum UserDatabase {
    /// `passwd`: the file's text (nil when it cannot be read).
    static func home(uid: UInt32, passwd: String?) -> String? {
        guard let text = passwd else { return nil }
        for line in text.split(separator: "\n") {
            let f = line.split(separator: ":", omittingEmptySubsequences: false)
            if f.count >= 6, UInt32(f[2]) == uid { return String(f[5]) }
        }
        return nil
    }
}
