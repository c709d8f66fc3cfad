import TaurunLinux
import TaurunOCI
import TaurunSeccomp

#if canImport(Glibc)
import Glibc
#endif

/// The container's first process, between clone and execve. It runs in the cloned child of `taurun create`,
/// single-threaded, and never returns into the CLI: it ends in execve, or reports a failure over the sync socket
/// and `_exit`s. Order matters and follows the runtime spec and runc: mounts → prestart/createRuntime hooks (run by
/// the parent) → createContainer hooks → pivot_root → sysctl, masks, read-only paths and root → limits →
/// ProcessSetup.prepare (session, keyring, console, credentials, no_new_privs, seccomp) → ready → wait for start
/// → startContainer hooks → ProcessSetup.execute (LSM labels, signals, exec through the trampoline). The seccomp
/// filter is in before `ready`: from then on only the sync messages, the parent-death signal cleared, the wait on the
/// exec fifo, the startContainer hooks (which run under the container's filter), the LSM label writes, the signal
/// reset and the execve happen. SyncChannel describes the parent's half of the exchange; InitOrderTests asserts
/// this order.
struct ContainerInit<Kernel: InitKernel> {
    let kernel: Kernel
    let plan: InitPlan
    let sync: SyncChannel
    let execFifoFD: Int32
    let consoleSocketFD: Int32
    let parentPid: pid_t
    let seccomp: SeccompProgram?
    let trampoline: ExecTrampoline
    /// Joins were done by the first stage of a two-stage clone.
    var namespacesJoined = false
    /// CgroupSelfJoin: the v1 `tasks` files this process moves itself into first (nil: the parent attaches it).
    var cgroupTasksFiles: [String]? = nil

    func run() -> Never { runUntilExec().exit(over: sync) }

    /// The whole setup; returns only when it stopped short of the execve, with the reason.
    func runUntilExec() -> InitStop {
        // In a new user namespace nothing else can be inside until the parent has written its maps, and a rootless
        // parent can write them only while we are dumpable (else /proc/<pid>/uid_map belongs to root): hide once
        // `go` says the maps are there. Anywhere else, at once.
        if !plan.newUserNamespace { kernel.hideFromContainer() }
        kernel.dieWithParent(expectedParent: parentPid)
        var state = ""
        let tail: ProcessSetup<Kernel>
        let prepared: ProcessSetup<Kernel>.Prepared
        do {
            let passed = try receiveBindSources()
            guard case .go(let s)? = try kernel.receive(from: sync) else { return .abandoned }
            if plan.newUserNamespace { kernel.hideFromContainer() }
            state = s
            if let files = cgroupTasksFiles { try kernel.joinCgroupTasks(files) }
            let procfs = try setUpContainer(state: state, rootfs: passed.rootfs, bindSources: passed.mounts)
            tail = ProcessSetup(kernel: kernel, plan: plan.process, seccomp: seccomp, parentPid: parentPid, procfs: procfs)
            prepared = try tail.prepare(consoleSocketFD: consoleSocketFD, leadsSession: true)
            if prepared.listener >= 0 {
                try kernel.send(.seccompListener(prepared.listener), over: sync)
                kernel.close(prepared.listener)
            }
        } catch let stop as InitStop {
            return stop
        } catch {
            return .failed("\(error)")
        }
        // Ready: create may return. The parent records the container, then hands it over.
        do {
            try kernel.send(.ready, over: sync)
            guard try kernel.receive(from: sync) == .handover else { return .abandoned }
            // Handed over: the container outlives `taurun create`.
            kernel.clearParentDeathSignal()
            try kernel.send(.ack, over: sync)
        } catch { return .abandoned }
        kernel.close(sync.fd)

        if plan.startContainerHooks.isEmpty {
            // Wait for `start` as the trampoline, not as a clone of taurun that processes exec'd into the created
            // container could see: it reads the byte `start` writes into the exec fifo, then execs the program.
            return .failedAfterReady(tail.execute(prepared, trampoline: trampoline, mode: .waitForByte(on: execFifoFD)))
        }
        // startContainer hooks run here, after `start`, in the container: wait as ourselves. We hold the fifo open
        // read-write, so the read blocks until `start` writes instead of seeing EOF.
        guard kernel.waitForStart(fifo: execFifoFD) else { return .abandoned }
        // Kept open (close-on-exec) through the hooks: `start` waits for poststart until it closes at the execve.
        do {
            try kernel.runHooks(plan.startContainerHooks, kind: "startContainer", state: state)
        } catch {
            return .failedAfterReady("\(error)")
        }
        return .failedAfterReady(tail.execute(prepared, trampoline: trampoline))
    }

    /// BindSources.send's fds, before `go`: the rootfs and the bind sources by mount index.
    private func receiveBindSources() throws -> (rootfs: Int32?, mounts: [Int: Int32]) {
        var rootfs: Int32? = nil
        if plan.rootfsFromParent {
            guard case .bindSource(let fd)? = try kernel.receive(from: sync) else { throw InitStop.abandoned }
            rootfs = fd
        }
        var sources: [Int: Int32] = [:]
        for m in plan.mounts where m.sourceFromParent {
            guard case .bindSource(let fd)? = try kernel.receive(from: sync) else { throw InitStop.abandoned }
            sources[m.index] = fd
        }
        return (rootfs, sources)
    }

    private func waitForCgroup() throws {
        switch try kernel.receive(from: sync) {
        case .cgroupJoined?: return
        case .failed(let message)?: throw RuntimeError.container(message)
        default: throw InitStop.abandoned
        }
    }

    // MARK: - Setup before `ready`

    /// Namespaces, rootfs, pivot_root, masks, limits: everything up to the process tail shared with exec. Returns
    /// the procfs handle opened before pivot_root, through which every later procfs access goes.
    private func setUpContainer(state: String, rootfs: Int32?, bindSources: [Int: Int32]) throws -> Kernel.ProcHandle {
        kernel.setUmask(0)
        if !namespacesJoined { try joinNamespaces() }
        if plan.newUserNamespace || plan.joins.contains(where: { $0.kind == .user }) {
            // In a new user namespace (its maps written by the parent) or a joined one, our ids are still the
            // host's and unmapped there: become the namespace's root, if it maps one.
            try kernel.becomeNamespaceRoot()
        }
        if plan.unshareCgroupNamespace {
            // The namespace's root is the cgroup we are in when unsharing: wait until the parent has moved us.
            try waitForCgroup()
            try kernel.unshare(NamespaceKind.cgroup.cloneFlag)
        }
        if let name = plan.hostname, !name.isEmpty { try kernel.setHostname(name) }
        if let name = plan.domainname, !name.isEmpty { try kernel.setDomainname(name) }

        // The parent makes the cgroups and moves us in while we build the rootfs; a cgroup mount binds those
        // directories, so the first one waits for them. Inside a cgroup namespace we waited before unsharing.
        var cgroupJoined = plan.unshareCgroupNamespace
        let builder = RootfsBuilder(kernel: kernel, plan: plan, bindSources: bindSources, passedRootfs: rootfs)
        let rootFD = try builder.build(beforeCgroupMount: {
            if !cgroupJoined { try waitForCgroup(); cgroupJoined = true }
        })
        if !cgroupJoined { try waitForCgroup() }
        if plan.runtimeHooks {
            if plan.runtimeHooksOpenNamespaces { kernel.showToRuntimeHooks() }
            try kernel.send(.hooks, over: sync)
            switch try kernel.receive(from: sync) {
            case .hooksDone?: break
            case .failed(let m)?: throw RuntimeError.container(m)
            default: throw InitStop.abandoned
            }
            if plan.runtimeHooksOpenNamespaces { kernel.hideFromContainer() }
        }
        try kernel.runHooks(plan.createContainerHooks, kind: "createContainer", state: state)
        let procfs = try builder.enter(rootFD: rootFD)
        for (key, value) in plan.sysctl { try kernel.write(procfs, InitPlan.procPath(ofSysctl: key), value) }
        try PathMasking.mask(plan.maskedPaths, procfs: procfs, kernel: kernel)
        try PathMasking.makeReadOnly(plan.readonlyPaths, procfs: procfs, kernel: kernel)
        if plan.readonlyRoot {
            try kernel.mount(source: nil, target: "/", type: nil,
                             flags: MountFlags([.bind, .remount, .readOnly]).union(kernel.lockedFlags(of: "/")), data: nil,
                             display: nil)
        }
        for r in plan.process.rlimits { try kernel.setRlimit(r) }
        return procfs
    }

    /// First stage of a two-stage clone: join the user namespace (and the other joins), create the new namespaces
    /// inside it, then fork the container's init as a sibling (CLONE_PARENT) — the first child in a new pid
    /// namespace — and report its pid. Only the init returns from here.
    func runFirstStage() {
        kernel.hideFromContainer()
        try? kernel.setParentDeathSignal(SIGKILL)
        do {
            try joinNamespaces()
            try kernel.unshare(plan.newNamespaces)
            let initPid = try kernel.cloneSibling()
            if initPid == 0 { return }
            try kernel.send(.initPid(initPid), over: sync)
        } catch {
            try? kernel.send(.failed("\(error)"), over: sync)
        }
        Processes.exitImmediately(0)
    }

    private func joinNamespaces() throws {
        // The user namespace first: joining it grants the capabilities needed to join the others it owns.
        let joins = plan.joins
        let ordered = joins.filter { $0.kind == .user } + joins.filter { $0.kind != .user && $0.kind != .pid && $0.kind != .time }
        for join in ordered {
            let fd = try kernel.open(join.path, O_RDONLY)
            defer { kernel.close(fd) }
            try kernel.joinNamespace(fd: fd, kind: join.kind, path: join.path)
        }
    }
}
