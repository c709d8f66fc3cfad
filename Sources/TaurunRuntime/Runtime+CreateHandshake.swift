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
            // The cgroups are made (their directories were recorded before the clone) and joined while the child
            // builds its rootfs: it waits for this message only where the cgroup matters (its first cgroup mount,
            // else the end of the rootfs). Moving a process between v1 cgroups waits for an RCU grace period
            // (~10 ms here, for crun too), mostly hidden by CgroupAttachWarmup.
            if parentJoinsCgroup {
                do {
                    try cgroup.create()
                    try cgroup.apply(resources)
                    try cgroup.add(pid: pid)
                } catch { throw RuntimeError.cgroup(error.description) }
            }
            try sync.send(.cgroupJoined)
            loop: while true {
                switch try sync.receive() {
                case .hooks?:
                    do {
                        try HookRunner.run(spec.hooks?.prestart ?? [], kind: "prestart", state: creatingState)
                        try HookRunner.run(spec.hooks?.createRuntime ?? [], kind: "createRuntime", state: creatingState)
                    } catch {
                        try? sync.send(.failed(error.description))
                        throw error
                    }
                    try sync.send(.hooksDone)
                case .seccompListener(let listener)?:
                    defer { close(listener) }
                    if let app {
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
                        continue
                    }
                    guard let path = spec.linux?.seccomp?.listenerPath, !path.isEmpty else { continue }
                    do {
                        try SeccompListener.send(listenerFD: listener, to: path, pid: pid,
                                                 metadata: spec.linux?.seccomp?.listenerMetadata,
                                                 state: state(of: record, status: .creating))
                    } catch {
                        try? sync.send(.failed(error.description))
                        throw RuntimeError.seccomp(error.description)
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
            if consoleReceiver >= 0 { ptyMaster = try Terminal.receiveFD(from: consoleReceiver) }
            record.phase = .created
            try store.save(record)
            if let pidFile = options.pidFile { try writePidFile(pidFile, pid: pid) }
            try sync.send(.handover)
            guard try sync.receive() == .ack else { throw RuntimeError.container("container init did not acknowledge handover") }
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
}
