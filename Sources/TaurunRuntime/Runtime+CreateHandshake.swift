import TaurunAudit
import TaurunCgroups
import TaurunLinux
import TaurunOCI
import TaurunSeccomp

#if canImport(Glibc)
import Glibc
#endif

extension Runtime {
    /// The parent's half of the create handshake once the init exists (SyncChannel has the order): hand over bind
    /// sources, `go`; make and join the cgroups unless the init joined them itself (`parentJoinsCgroup`); run
    /// prestart/createRuntime hooks when asked; start the Tau monitor or forward the seccomp listener; on `ready`
    /// record `created`, then `handover`. A failure on either side ends in a thrown error; the caller cleans up.
    func driveToCreated(_ sync: SyncChannel, pid: pid_t, spec: Spec, plan: InitPlan, app: TauAppPolicy?,
                        cgroup: any CgroupManager, resources: LinuxResources?, parentJoinsCgroup: Bool,
                        record: inout ContainerRecord, options: CreateOptions, consoleReceiver: Int32,
                        ptyMaster: inout Int32) throws(RuntimeError) {
        let creatingState = state(of: record, status: .creating).hookJSON
        do {
            try BindSources.send(plan, initPid: pid, over: sync)
            try sync.send(.go(creatingState))
            if parentJoinsCgroup { try joinCgroup(pid, cgroup: cgroup, resources: resources) }
            try sync.send(.cgroupJoined)
            loop: while true {
                switch try sync.receive() {
                case .hooks?:
                    try runCreateHooks(spec, state: creatingState, sync: sync)
                case .seccompListener(let listener)?:
                    defer { Files.close(listener) }
                    if let app {
                        try startMonitor(listener: listener, app: app, pid: pid, spec: spec, record: &record, options: options, sync: sync)
                    } else {
                        try forwardListener(listener, pid: pid, spec: spec, record: record, sync: sync)
                    }
                case .ready?:
                    break loop
                case .failed(let message)?:
                    throw RuntimeError.container(message)
                case nil:
                    throw RuntimeError.container("container init exited before it was ready")
                default:
                    throw RuntimeError.container("unexpected message from container init")
                }
            }
            try handOver(sync, pid: pid, record: &record, options: options, consoleReceiver: consoleReceiver, ptyMaster: &ptyMaster)
        } catch let error as RuntimeError {
            throw error
        } catch let error as SyscallError {
            // The init hung up: it failed while we were busy (cgroups, hooks) and its reason waits unread.
            if error.call == "send(sync)" && error.errno == .brokenPipe, case .failed(let message)? = try? sync.receive() {
                throw .container(message)
            }
            throw .system(error)
        } catch {
            throw .container("\(error)")
        }
    }

    /// The cgroups are made (their directories were recorded before the clone) and joined while the child builds its
    /// rootfs: it waits for this message only where the cgroup matters (its first cgroup mount, else the end of the
    /// rootfs). Moving a process between v1 cgroups waits for an RCU grace period (~10 ms here, for crun too), mostly
    /// hidden by CgroupAttachWarmup.
    private func joinCgroup(_ pid: pid_t, cgroup: any CgroupManager, resources: LinuxResources?) throws(RuntimeError) {
        do {
            try cgroup.create()
            try cgroup.apply(resources)
            try cgroup.add(pid: pid)
        } catch { throw .cgroup(error.description) }
    }

    /// prestart and createRuntime hooks, at the init's `hooks` (its mounts made, before pivot_root); a failed hook is
    /// reported to the init, which stops.
    private func runCreateHooks(_ spec: Spec, state: String, sync: SyncChannel) throws {
        do {
            try HookRunner.run(spec.hooks?.prestart ?? [], kind: "prestart", state: state)
            try HookRunner.run(spec.hooks?.createRuntime ?? [], kind: "createRuntime", state: state)
        } catch {
            try? sync.send(.failed(error.description))
            throw error
        }
        try sync.send(.hooksDone)
    }

    /// A Tau app's seccomp notify listener: its security monitor, started and recorded before the app runs (a
    /// learning run's records what the app uses instead of stopping it).
    private func startMonitor(listener: Int32, app: TauAppPolicy, pid: pid_t, spec: Spec, record: inout ContainerRecord,
                              options: CreateOptions, sync: SyncChannel) throws {
        var context = SecurityMonitor.Context(
            policy: app, containerID: record.id, auditLogPath: auditLogPath ?? AuditLog.defaultPath,
            violationFile: store.violationFile(of: record.id))
        if record.learning == true {
            context.learnFile = store.learnFile(of: record.id)
            context.learnWatched = spec.linux?.seccomp.map { LearnMode.watchedPathCalls(TauAppPolicy.monitored($0)) } ?? []
            context.grantedPaths = LearnMode.grantedPaths(environment: spec.process?.env ?? [])
        } else if !app.askedDevices.isEmpty {
            context.watchedOpens = spec.linux?.seccomp.map { AskedDevice.watchedOpens(TauAppPolicy.monitored($0)) } ?? []
        }
        do {
            try preparePrompts(&context, channel: options.promptChannel)
            let monitor = try SecurityMonitor.spawn(listener: listener, initPid: pid, context: context)
            record.monitorPid = monitor
            record.monitorStartTime = Processes.startTime(of: monitor)
            try store.save(record)
        } catch {
            try? sync.send(.failed(error.description))
            throw error
        }
    }

    /// A plain OCI container's listener goes to its linux.seccomp.listenerPath (none: closed by the caller).
    private func forwardListener(_ listener: Int32, pid: pid_t, spec: Spec, record: ContainerRecord,
                                 sync: SyncChannel) throws(RuntimeError) {
        guard let path = spec.linux?.seccomp?.listenerPath, !path.isEmpty else { return }
        do {
            try SeccompListener.send(listenerFD: listener, to: path, pid: pid, metadata: spec.linux?.seccomp?.listenerMetadata,
                                     state: state(of: record, status: .creating))
        } catch {
            try? sync.send(.failed(error.description))
            throw .seccomp(error.description)
        }
    }

    /// On `ready`: the pty master taken when taurun holds the terminal, `created` recorded, the pid file written, then
    /// `handover`, which the init acknowledges before it waits on the exec fifo.
    private func handOver(_ sync: SyncChannel, pid: pid_t, record: inout ContainerRecord, options: CreateOptions,
                          consoleReceiver: Int32, ptyMaster: inout Int32) throws {
        if consoleReceiver >= 0 { ptyMaster = try UnixSocket.receiveFD(from: consoleReceiver) }
        record.phase = .created
        try store.save(record)
        if let pidFile = options.pidFile { try writePidFile(pidFile, pid: pid) }
        try sync.send(.handover)
        guard try sync.receive() == .ack else { throw RuntimeError.container("container init did not acknowledge handover") }
    }
}
