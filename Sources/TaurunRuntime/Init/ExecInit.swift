import TaurunLinux
import TaurunSeccomp

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

/// A process `exec` adds to a running container, between fork and execve. It is born in taurun's own pid namespace,
/// where the container cannot see it (nor ptrace it, nor open its /proc/PID/exe, the host's taurun); the parent puts
/// it in the container's cgroup and then sends `go`. Order, as runc's setns init: rlimits and oom_score_adj (still
/// privileged on the host) → user namespace → the other namespaces (pid and time: for its children) → the tail every
/// process entering a container shares with the container's first process (ProcessSetup: session, keyring,
/// console, credentials, no_new_privs, seccomp, LSM labels, signals). Last it execs the trampoline in spawn mode,
/// which starts the program as a sibling (a child of `taurun exec`) inside the container's pid namespace and
/// reports its pid over the sync socket. It never returns: execve, or `failed` over the sync socket and `_exit`.
struct ExecInit<Kernel: InitKernel> {
    let kernel: Kernel
    let plan: ProcessPlan
    let sync: SyncChannel
    let namespaces: [NamespaceHandle]
    let consoleSocketFD: Int32
    let parentPid: pid_t
    let seccomp: SeccompProgram?
    let trampoline: ExecTrampoline

    func run() -> Never { runUntilExec().exit(over: sync, prefix: "exec failed: unable to start container process: ") }

    /// The whole setup; returns only when it stopped short of the execve, with the reason (every failure goes to
    /// the parent, which still reads the sync socket).
    func runUntilExec() -> InitStop {
        kernel.hideFromContainer()
        kernel.dieWithParent(expectedParent: parentPid)
        do {
            guard case .go? = try kernel.receive(from: sync) else { return .abandoned }
        } catch { return .abandoned }
        let tail: ProcessSetup<Kernel>
        let prepared: ProcessSetup<Kernel>.Prepared
        do {
            let procfs = try enterContainer()
            tail = ProcessSetup(kernel: kernel, plan: plan, seccomp: seccomp, parentPid: parentPid, procfs: procfs)
            prepared = try tail.prepare(consoleSocketFD: consoleSocketFD, leadsSession: false)
            // A notify listener (a Tau app's monitored filter) goes to the parent, which starts a security monitor on it.
            if prepared.listener >= 0 {
                try kernel.send(.seccompListener(prepared.listener), over: sync)
                kernel.close(prepared.listener)
            }
        } catch {
            return .failed("\(error)")
        }
        return .failed(tail.execute(prepared, trampoline: trampoline,
                                    mode: .spawnSibling(reportingTo: sync.fd, terminal: plan.terminal)))
    }

    /// Returns the procfs handle, opened while still in taurun's own mount namespace.
    private func enterContainer() throws -> Kernel.ProcHandle {
        let procfs = try kernel.openProcFS()
        // Raising a hard limit needs CAP_SYS_RESOURCE in the initial user namespace: set limits before leaving it.
        for r in plan.rlimits { try kernel.setRlimit(r) }
        if let adj = plan.oomScoreAdj { try kernel.write(procfs, "self/oom_score_adj", String(adj)) }
        // The user namespace first: joining it grants the capabilities needed to join the others it owns. pid and
        // time apply to the children: the sibling the trampoline starts.
        for ns in namespaces where ns.kind == .user { try kernel.joinNamespace(fd: ns.fd, kind: ns.kind, path: ns.path) }
        for ns in namespaces where ns.kind != .user { try kernel.joinNamespace(fd: ns.fd, kind: ns.kind, path: ns.path) }
        for ns in namespaces { kernel.close(ns.fd) }
        return procfs
    }
}
