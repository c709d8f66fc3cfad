import TaurunLinux
import TaurunOCI
import TaurunSeccomp
import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// The container's first process, between clone and execve. It runs in the cloned child of `taurun create`,
/// single-threaded, and never returns into the CLI: it ends in execve, or reports a failure over the sync socket
/// and `_exit`s. Order matters and follows the runtime spec and runc: mounts → hooks → pivot_root → masks →
/// console → limits → credentials → no_new_privs → ready → wait for start → startContainer hooks → seccomp → exec.
struct ContainerInit {
    let plan: InitPlan
    let sync: SyncChannel
    let execFifoFD: Int32
    let consoleSocketFD: Int32
    let parentPid: pid_t
    let seccomp: SeccompProgram?
    /// Joins were done by the first stage of a two-stage clone.
    var namespacesJoined = false
    /// CgroupSelfJoin: the v1 `tasks` files this process moves itself into first (nil: the parent attaches it).
    var cgroupTasksFiles: [String]? = nil

    func run() -> Never {
        Processes.hideFromContainer()
        Processes.dieWithParent(expectedParent: parentPid)
        var state = ""
        do {
            guard case .go(let s)? = try sync.receive() else { _exit(1) }
            state = s
            if let files = cgroupTasksFiles { try CgroupSelfJoin.joinV1(files) }
            try setUp(state: state)
        } catch {
            fail("\(error)")
        }
        // Ready: create may return. The parent records the container, then hands it over.
        do {
            try sync.send(.ready)
            guard try sync.receive() == .handover else { _exit(1) }
            _ = tr_prctl(1 /* PR_SET_PDEATHSIG */, 0, 0, 0, 0)
            try sync.send(.ack)
        } catch { _exit(1) }
        sync.close()

        // Wait for `start`: it writes one byte into the exec fifo (we hold it open read-write, so the read blocks
        // until then instead of seeing EOF).
        var byte: UInt8 = 0
        while true {
            let n = read(execFifoFD, &byte, 1)
            if n == 1 { break }
            if n < 0 && errno == EINTR { continue }
            _exit(1)
        }
        close(execFifoFD)
        do {
            try HookRunner.run(plan.startContainerHooks, kind: "startContainer", state: state)
        } catch {
            writeStderr("taurun: \(error)\n")
            _exit(1)
        }
        execute()
    }

    private func waitForCgroup() throws {
        switch try sync.receive() {
        case .cgroupJoined?: return
        case .failed(let message)?: throw RuntimeError.container(message)
        default: _exit(1)
        }
    }

    private func fail(_ message: String) -> Never {
        try? sync.send(.failed(message))
        _exit(1)
    }

    // MARK: - Setup before `ready`

    private func setUp(state: String) throws {
        umask(0)
        if !namespacesJoined { try joinNamespaces() }
        if plan.newUserNamespace || plan.joins.contains(where: { $0.kind == .user }) {
            // In a new user namespace (its maps written by the parent) or a joined one, our ids are still the
            // host's and unmapped there: become the namespace's root, if it maps one.
            if tr_setresgid(0, 0, 0) != 0 && errno != EINVAL { throw SyscallError("setresgid(0)") }
            if tr_setresuid(0, 0, 0) != 0 && errno != EINVAL { throw SyscallError("setresuid(0)") }
        }
        if plan.unshareCgroupNamespace {
            // The namespace's root is the cgroup we are in when unsharing: wait until the parent has moved us.
            try waitForCgroup()
            try Namespaces.unshare(NamespaceKind.cgroup.cloneFlag)
        }
        if plan.newSessionKeyring {
            // Kernels without keyrings (ENOSYS) or that forbid them (EACCES) still run containers, as with runc.
            if tr_keyctl_join_session_keyring(plan.containerID) < 0 && errno != ENOSYS && errno != EACCES {
                throw SyscallError("keyctl(JOIN_SESSION_KEYRING)")
            }
        }
        if let name = plan.hostname, !name.isEmpty { try Identity.setHostname(name) }
        if let name = plan.domainname, !name.isEmpty { try Identity.setDomainname(name) }

        // The parent makes the cgroups and moves us in while we build the rootfs; a cgroup mount binds those
        // directories, so the first one waits for them. Inside a cgroup namespace we waited before unsharing.
        var cgroupJoined = plan.unshareCgroupNamespace
        let rootFD = try RootfsBuilder(plan: plan).build(beforeCgroupMount: {
            if !cgroupJoined { try waitForCgroup(); cgroupJoined = true }
        })
        if !cgroupJoined { try waitForCgroup() }
        if plan.runtimeHooks {
            try sync.send(.hooks)
            switch try sync.receive() {
            case .hooksDone?: break
            case .failed(let m)?: throw RuntimeError.container(m)
            default: _exit(1)
            }
        }
        try HookRunner.run(plan.createContainerHooks, kind: "createContainer", state: state)
        try RootfsBuilder(plan: plan).enter(rootFD: rootFD)
        try applySysctl()
        try PathMasking.mask(plan.maskedPaths)
        try PathMasking.makeReadOnly(plan.readonlyPaths)
        if plan.readonlyRoot {
            try Mounts.mount(source: nil, target: "/", type: nil,
                             flags: MountFlags([.bind, .remount, .readOnly]).union(Mounts.lockedFlags(of: "/")), data: nil)
        }
        if plan.terminal { try ProcessSetup.setUpConsole(socketFD: consoleSocketFD, size: plan.consoleSize) }
        for r in plan.rlimits { try Limits.set(resource: r.resource, soft: r.soft, hard: r.hard, name: r.name) }
        // Without no_new_privs, loading a filter needs CAP_SYS_ADMIN, which the user process may not keep: load it
        // now, while we still have it (runc does the same). With no_new_privs it waits until right before exec.
        var listener: Int32 = -1
        if let seccomp, !plan.noNewPrivileges { listener = try loadSeccomp(seccomp) }
        try setCredentials()
        if chdir(plan.cwd) != 0 { throw SyscallError("chdir", plan.cwd) }
        try checkCwdIsInside()
        if plan.noNewPrivileges { try Processes.setNoNewPrivileges() }
        try resolveExecutable()
        // Nothing of the runtime may reach the container: everything above 2 (+ preserved fds) closes at exec.
        try Processes.closeOnExec(from: 3 + plan.preserveFDs)
        for fd in 3..<(3 + plan.preserveFDs) { _ = tr_fcntl_int(fd, F_SETFD, 0) }
        umask(mode_t(plan.umask ?? 0o022))
        // With no_new_privs the filter goes in last, as in runc: after it only the fifo wait, startContainer hooks
        // and execve remain.
        if let seccomp, plan.noNewPrivileges { listener = try loadSeccomp(seccomp) }
        if listener >= 0 {
            try sync.send(.seccompListener(listener))
            close(listener)
        }
    }

    /// First stage of a two-stage clone: join the user namespace (and the other joins), create the new namespaces
    /// inside it, then fork the container's init as a sibling (CLONE_PARENT) — the first child in a new pid
    /// namespace — and report its pid. Only the init returns from here.
    static func firstStage(plan: InitPlan, sync: SyncChannel) {
        Processes.hideFromContainer()
        _ = tr_prctl(1 /* PR_SET_PDEATHSIG */, UInt(SIGKILL), 0, 0, 0)
        do {
            try joinNamespaces(plan.joins)
            try Namespaces.unshare(plan.newNamespaces)
            let initPid = try Namespaces.clone(flags: 0x8000 /* CLONE_PARENT */)
            if initPid == 0 { return }
            try sync.send(.initPid(initPid))
        } catch {
            try? sync.send(.failed("\(error)"))
        }
        _exit(0)
    }

    private func joinNamespaces() throws { try Self.joinNamespaces(plan.joins) }

    private static func joinNamespaces(_ joins: [(kind: NamespaceKind, path: String)]) throws {
        // The user namespace first: joining it grants the capabilities needed to join the others it owns.
        let ordered = joins.filter { $0.kind == .user } + joins.filter { $0.kind != .user && $0.kind != .pid && $0.kind != .time }
        for join in ordered {
            let fd = try Files.open(join.path, O_RDONLY)
            defer { close(fd) }
            try Namespaces.join(fd: fd, kind: join.kind, path: join.path)
        }
    }

    private func applySysctl() throws {
        for (key, value) in plan.sysctl {
            let path = "/proc/sys/" + key.replacingDots()
            try Files.writeValue(path, value)
        }
    }

    /// Drops to the configured user with exactly the configured capabilities: bounding set first (needs
    /// CAP_SETPCAP), keep caps across the uid change, then set effective/permitted/inheritable/ambient.
    private func setCredentials() throws {
        if let caps = plan.capabilities { try Capabilities.limitBounding(to: caps.bounding) }
        try Processes.setKeepCapabilities(true)
        // setgroups is denied in user namespaces whose setgroups file says "deny"; only try when it can work.
        if !(plan.newUserNamespace && (try? Files.readString("/proc/self/setgroups"))?.hasPrefix("deny") == true) {
            try Credentials.setGroups(plan.additionalGids)
        }
        try Credentials.setGID(plan.gid)
        try Credentials.setUID(plan.uid)
        try Processes.setKeepCapabilities(false)
        if let caps = plan.capabilities { try Capabilities.apply(caps) }
        // setuid cleared the parent-death signal; re-arm it until handover.
        Processes.dieWithParent(expectedParent: parentPid)
    }

    private func checkCwdIsInside() throws { try ProcessSetup.checkCwdIsInside() }

    private var environment: [String] { ProcessSetup.environment(plan.env, uid: plan.uid) }

    private func lookPath() -> (path: String?, error: String?) { ProcessSetup.lookPath(plan.args[0], env: plan.env) }

    private func resolveExecutable() throws {
        if let error = lookPath().error { throw RuntimeError.container(error) }
    }

    // MARK: - After `start`

    /// Loads the filter; returns the notify listener fd, or -1 when the profile has no SCMP_ACT_NOTIFY rule.
    private func loadSeccomp(_ program: SeccompProgram) throws -> Int32 {
        let result = SeccompLoader.load(program)
        if result.result < 0 { throw SyscallError("seccomp(SET_MODE_FILTER)", nil, rawErrno: result.errno) }
        return program.usesNotify ? result.result : -1
    }

    private func execute() -> Never {
        guard let path = lookPath().path else {
            writeStderr("taurun: \(lookPath().error ?? "exec failed")\n")
            _exit(127)
        }
        if let profile = plan.apparmorProfile {
            // aa_change_onexec: the profile takes effect at execve. Written directly (no libapparmor needed).
            do { try Files.writeValue("/proc/self/attr/apparmor/exec", "exec \(profile)") } catch {
                writeStderr("taurun: apparmor profile \(profile): \(error)\n")
                _exit(1)
            }
        }
        if let label = plan.selinuxLabel {
            // setexeccon: the label takes effect at execve.
            do { try Files.writeValue("/proc/thread-self/attr/exec", label) } catch {
                writeStderr("taurun: selinux label \(label): \(error)\n")
                _exit(1)
            }
        }
        let error = Processes.exec(path: path, args: plan.args, env: environment)
        writeStderr("taurun: \(error)\n")
        _exit(error.errno == .permissionDenied ? 126 : 127)
    }
}

func writeStderr(_ text: String) {
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

extension String {
    /// "net.ipv4.ip_forward" → "net/ipv4/ip_forward" (sysctl keys to /proc/sys paths).
    func replacingDots() -> String { String(map { $0 == "." ? "/" : $0 }) }
}
