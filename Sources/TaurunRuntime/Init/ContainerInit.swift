import TaurunLinux
import TaurunOCI
import TaurunSeccomp

#if canImport(Glibc)
import Glibc
#endif

/// The container's first process, between clone and execve. It runs in the cloned child of `taurun create`,
/// single-threaded, and never returns into the CLI: it ends in execve, or reports a failure over the sync socket
/// and `_exit`s. Order matters and follows the runtime spec and runc: mounts → hooks → pivot_root → masks → limits
/// → ProcessSetup.prepare (session, keyring, console, credentials, no_new_privs, seccomp) → ready → wait for start
/// → startContainer hooks → ProcessSetup.execute (LSM labels, signals, exec through the trampoline).
struct ContainerInit {
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

    func run() -> Never {
        // In a new user namespace nothing else can be inside until the parent has written its maps, and a rootless
        // parent can write them only while we are dumpable (else /proc/<pid>/uid_map belongs to root): hide once
        // `go` says the maps are there. Anywhere else, at once.
        if !plan.newUserNamespace { Processes.hideFromContainer() }
        Processes.dieWithParent(expectedParent: parentPid)
        var state = ""
        let tail: ProcessSetup
        let prepared: ProcessSetup.Prepared
        do {
            let passed = try BindSources.receive(for: plan, over: sync)
            guard case .go(let s)? = try sync.receive() else { _exit(1) }
            if plan.newUserNamespace { Processes.hideFromContainer() }
            state = s
            if let files = cgroupTasksFiles { try CgroupSelfJoin.joinV1(files) }
            let procfs = try setUpContainer(state: state, rootfs: passed.rootfs, bindSources: passed.mounts)
            tail = ProcessSetup(plan: plan.process, seccomp: seccomp, parentPid: parentPid, procfs: procfs)
            prepared = try tail.prepare(consoleSocketFD: consoleSocketFD, leadsSession: true)
            if prepared.listener >= 0 {
                try sync.send(.seccompListener(prepared.listener))
                close(prepared.listener)
            }
        } catch {
            fail("\(error)")
        }
        // Ready: create may return. The parent records the container, then hands it over.
        do {
            try sync.send(.ready)
            guard try sync.receive() == .handover else { _exit(1) }
            // Handed over: the container outlives `taurun create`.
            Processes.clearParentDeathSignal()
            try sync.send(.ack)
        } catch { _exit(1) }
        sync.close()

        let failAfterReady: (String) -> Never = { message in
            // Nobody listens on the sync socket any more: the message goes where the container's stderr goes.
            writeStderr("taurun: \(message)\n")
            _exit(1)
        }
        if plan.startContainerHooks.isEmpty {
            // Wait for `start` as the trampoline, not as a clone of taurun that processes exec'd into the created
            // container could see: it reads the byte `start` writes into the exec fifo, then execs the program.
            tail.execute(prepared, trampoline: trampoline, mode: .waitForByte(on: execFifoFD), fail: failAfterReady)
        }
        // startContainer hooks run here, after `start`, in the container: wait as ourselves. We hold the fifo open
        // read-write, so the read blocks until `start` writes instead of seeing EOF.
        var byte: UInt8 = 0
        while true {
            let n = read(execFifoFD, &byte, 1)
            if n == 1 { break }
            if n < 0 && errno == EINTR { continue }
            _exit(1)
        }
        // Kept open (close-on-exec) through the hooks: `start` waits for poststart until it closes at the execve.
        do {
            try HookRunner.run(plan.startContainerHooks, kind: "startContainer", state: state)
        } catch {
            failAfterReady("\(error)")
        }
        tail.execute(prepared, trampoline: trampoline, fail: failAfterReady)
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

    /// Namespaces, rootfs, pivot_root, masks, limits: everything up to the process tail shared with exec. Returns
    /// the procfs handle opened before pivot_root, through which every later procfs access goes.
    private func setUpContainer(state: String, rootfs: Int32?, bindSources: [Int: Int32]) throws -> ProcFS {
        umask(0)
        if !namespacesJoined { try joinNamespaces() }
        if plan.newUserNamespace || plan.joins.contains(where: { $0.kind == .user }) {
            // In a new user namespace (its maps written by the parent) or a joined one, our ids are still the
            // host's and unmapped there: become the namespace's root, if it maps one.
            try Credentials.becomeNamespaceRoot()
        }
        if plan.unshareCgroupNamespace {
            // The namespace's root is the cgroup we are in when unsharing: wait until the parent has moved us.
            try waitForCgroup()
            try Namespaces.unshare(NamespaceKind.cgroup.cloneFlag)
        }
        if let name = plan.hostname, !name.isEmpty { try Identity.setHostname(name) }
        if let name = plan.domainname, !name.isEmpty { try Identity.setDomainname(name) }

        // The parent makes the cgroups and moves us in while we build the rootfs; a cgroup mount binds those
        // directories, so the first one waits for them. Inside a cgroup namespace we waited before unsharing.
        var cgroupJoined = plan.unshareCgroupNamespace
        let rootFD = try RootfsBuilder(plan: plan, bindSources: bindSources, passedRootfs: rootfs).build(beforeCgroupMount: {
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
        let procfs = try RootfsBuilder(plan: plan).enter(rootFD: rootFD)
        for (key, value) in plan.sysctl { try procfs.write("sys/" + key.replacingDots(), value) }
        try PathMasking.mask(plan.maskedPaths, procfs: procfs)
        try PathMasking.makeReadOnly(plan.readonlyPaths, procfs: procfs)
        if plan.readonlyRoot {
            try Mounts.mount(source: nil, target: "/", type: nil,
                             flags: MountFlags([.bind, .remount, .readOnly]).union(Mounts.lockedFlags(of: "/")), data: nil)
        }
        for r in plan.process.rlimits { try Limits.set(resource: r.resource, soft: r.soft, hard: r.hard, name: r.name) }
        return procfs
    }

    /// First stage of a two-stage clone: join the user namespace (and the other joins), create the new namespaces
    /// inside it, then fork the container's init as a sibling (CLONE_PARENT) — the first child in a new pid
    /// namespace — and report its pid. Only the init returns from here.
    static func firstStage(plan: InitPlan, sync: SyncChannel) {
        Processes.hideFromContainer()
        try? Processes.setParentDeathSignal(SIGKILL)
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
}

func writeStderr(_ text: String) {
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

extension String {
    /// "net.ipv4.ip_forward" → "net/ipv4/ip_forward" (sysctl keys to /proc/sys paths).
    func replacingDots() -> String { String(map { $0 == "." ? "/" : $0 }) }
}
