import TaurunAudit
import TaurunCgroups
import TaurunLinux
import TaurunOCI
import TaurunSeccomp
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

extension Runtime {
    /// `exec`: runs another process in a created or running container. It enters every namespace the container's
    /// init has that taurun does not share, joins the container's cgroup, and gets the process's own (or the
    /// container's) capabilities, rlimits, no_new_privs, AppArmor profile and the container's seccomp filter.
    /// In the foreground it waits, forwarding signals, and returns the process's exit code (128+N when killed by
    /// signal N); with `detach` it returns 0 as soon as the program is executing. The state dir is not locked
    /// meanwhile: a long exec must not block `kill` or `delete`.
    public func exec(id: String, options: ExecOptions) throws(RuntimeError) -> Int32 {
        try ContainerID.validate(id)
        let record = try store.load(id)
        let initPid = try execTarget(record)
        let spec = try recordedSpec(of: record)
        let process = try ExecProcess.resolve(options, container: spec)
        let plan = try ExecPlan.build(process: process, container: spec.process, options: options,
                                      keyring: record.noNewKeyring == true ? nil : id)
        // A Tau app's exec'd processes are watched like the app itself: the same monitored filter (its denials go to
        // a security monitor, which audits them and applies on_violation), from the same BPF cache as create.
        let app = try TauAppPolicy.from(annotations: spec.annotations, mounts: spec.mounts)
        let seccomp = try seccompProgram(spec, app: app, learning: record.learning == true)
        try checkPreserved(fds: options.preserveFDs)

        let namespaces = try ContainerNamespaces.open(pid: initPid)
        defer { for ns in namespaces { Files.close(ns.fd) } }
        // The fds now pin the namespaces; make sure they are the recorded init's, not a recycled pid's.
        guard Processes.isAlive(pid: initPid, startTime: record.pidStartTime) else {
            throw .container("cannot exec a container that has stopped")
        }
        // A terminal in the foreground without a console socket: taurun receives the pty master itself and relays.
        let console = try openConsole(socket: options.consoleSocket, relayHere: plan.terminal)
        defer { console.close() }
        let channels: (parent: SyncChannel, child: SyncChannel)
        do { channels = try SyncChannel.pair() } catch { throw .system(error) }
        defer { channels.parent.close() }

        let trampoline: ExecTrampoline
        do { trampoline = try ExecTrampoline.load() } catch { channels.child.close(); throw .system(error) }
        defer { Files.close(trampoline.fd) }

        // The child stays in taurun's pid namespace (it joins the container's for its own children): the
        // container never sees a clone of taurun.
        let parentPid = Processes.ownPID
        let setup: pid_t
        do { setup = try Namespaces.clone(flags: 0) } catch { channels.child.close(); throw .system(error) }
        if setup == 0 {
            channels.parent.close()
            ExecInit(kernel: LinuxInitKernel(), plan: plan, sync: channels.child, namespaces: namespaces, consoleSocketFD: console.childEnd,
                     parentPid: parentPid, seccomp: seccomp, trampoline: trampoline).run()
        }
        channels.child.close()

        let (pid, monitor) = try awaitExecSpawned(setup: setup, sync: channels.parent, record: record, spec: spec, initPid: initPid, app: app)
        if let pidFile = options.pidFile { try writePidFile(pidFile, pid: pid) }
        if options.detach { return 0 }
        return try waitExec(CreatedContainer(id: id, pid: pid, monitorPid: monitor), relay: console.receiver)
    }

    /// The init of a created or running container, which exec joins; anything else is refused by its status.
    private func execTarget(_ record: ContainerRecord) throws(RuntimeError) -> pid_t {
        switch status(of: record) {
        case .stopped: throw .container("cannot exec a container that has stopped")
        case .paused: throw .container("cannot exec in a paused container")
        case .creating: throw .container("cannot exec in a container that is still being created")
        case .created, .running: break
        }
        guard let initPid = record.pid else { throw .container("cannot exec a container that has stopped") }
        return initPid
    }

    /// The config create recorded gives the base process (no --process), the defaults and the seccomp profile:
    /// editing the bundle's config.json after create changes nothing here. (A container created by a taurun that did
    /// not record it falls back to the bundle's.)
    private func recordedSpec(of record: ContainerRecord) throws(RuntimeError) -> Spec {
        let recorded = store.configFile(of: record.id)
        do { return try Spec.load(path: Files.exists(recorded) ? recorded : record.bundle + "/config.json") } catch {
            throw .spec(error)
        }
    }

    /// The parent's half of exec's handshake: the setup child joins the container's cgroup, gets `go`, and the
    /// trampoline reports the program's pid (a sibling: our child), then exits; `failed` comes instead when the setup
    /// failed, and EOF alone when the trampoline could not start it. A Tau app's notify listener comes first: its
    /// monitor is running before the program is. On a failure every child is killed and reaped.
    private func awaitExecSpawned(setup: pid_t, sync: SyncChannel, record: ContainerRecord, spec: Spec, initPid: pid_t,
                                  app: TauAppPolicy?) throws(RuntimeError) -> (pid: pid_t, monitor: pid_t) {
        var pid: pid_t = -1
        var monitor: pid_t = -1
        do {
            do { try cgroupManager(for: record).add(pid: setup) } catch { throw RuntimeError.cgroup(error.description) }
            try sync.send(.go(""))
            loop: while true {
                switch try sync.receive() {
                case .seccompListener(let listener)?:
                    defer { Files.close(listener) }
                    guard let app else { continue }
                    var context = SecurityMonitor.Context(
                        policy: app, containerID: record.id, auditLogPath: record.auditLog ?? auditLogPath ?? AuditLog.defaultPath,
                        violationFile: store.violationFile(of: record.id))
                    // A process exec'd into a learning run is learnt from too, not stopped.
                    if record.learning == true {
                        context.learnFile = store.learnFile(of: record.id)
                    } else if !app.askedDevices.isEmpty {
                        context.watchedOpens = spec.linux?.seccomp.map { AskedDevice.watchedOpens(TauAppPolicy.monitored($0)) } ?? []
                    }
                    try preparePrompts(&context, channel: -1)
                    monitor = try SecurityMonitor.spawn(listener: listener, initPid: initPid, context: context)
                case .spawned(let spawned)?: pid = spawned; break loop
                case .failed(let message)?: throw RuntimeError.container(message)
                case nil: throw RuntimeError.container("exec failed: unable to start container process: the exec trampoline exited")
                default: throw RuntimeError.container("unexpected message from the exec'd process")
                }
            }
            _ = try? Processes.wait(setup)
        } catch {
            for child in [setup, pid, monitor] where child > 0 {
                Processes.signalChild(child, SIGKILL)
                _ = try? Processes.wait(child)
            }
            if let error = error as? RuntimeError { throw error }
            if let error = error as? SyscallError { throw .system(error) }
            throw .container("\(error)")
        }
        return (pid, monitor)
    }

    /// exec in the foreground: the exit code of the program, relaying its terminal when taurun holds the pty master
    /// (`relay`, the receiving end of the socketpair; -1: none).
    private func waitExec(_ process: CreatedContainer, relay: Int32) throws(RuntimeError) -> Int32 {
        guard relay >= 0 else { return waitForeground(process) }
        let master: Int32
        do { master = try UnixSocket.receiveFD(from: relay) } catch {
            Processes.signalChild(process.pid, SIGKILL)
            _ = waitForeground(process)
            throw .system(error)
        }
        defer { Files.close(master) }
        return TerminalRelay(master: master, pid: process.pid).run()
    }

    /// `--preserve-fds N` hands fds 3…N+2 on; each must be open, or taurun's own fds could take their numbers.
    func checkPreserved(fds count: Int32) throws(RuntimeError) {
        guard count > 0 else { return }
        for fd in 3..<(3 + count) where !Files.isOpen(fd) {
            throw .usage("--preserve-fds \(count): fd \(fd) is not open")
        }
    }
}

/// The namespaces of a container's init that taurun is not already in.
enum ContainerNamespaces {
    /// Opens /proc/<pid>/ns/<kind> for every kind whose namespace differs from taurun's own (same device and inode
    /// means shared with the host: nothing to join, and joining one's own user namespace is an error).
    static func open(pid: Int32) throws(RuntimeError) -> [NamespaceHandle] {
        var handles: [NamespaceHandle] = []
        for kind in NamespaceKind.allCases {
            let theirs = "/proc/\(pid)/ns/\(kind.procName)", ours = "/proc/self/ns/\(kind.procName)"
            // The kernel lacks this namespace type.
            guard let b = (try? FileIO<SyscallError>.resolvedStatusIfPresent(ours)) ?? nil else { continue }
            let a: stat
            do throws(SyscallError) {
                guard let found = try FileIO<SyscallError>.resolvedStatusIfPresent(theirs) else {
                    throw SyscallError("stat", theirs, errno: .noSuchFileOrDirectory)
                }
                a = found
            } catch {
                for h in handles { Files.close(h.fd) }
                if error.errno == .noSuchFileOrDirectory || error.errno == .noSuchProcess {
                    throw .container("cannot exec a container that has stopped")
                }
                throw .system(error)
            }
            if a.st_dev == b.st_dev && a.st_ino == b.st_ino { continue }
            do { handles.append(NamespaceHandle(kind: kind, fd: try Files.open(theirs, O_RDONLY), path: theirs)) } catch {
                for h in handles { Files.close(h.fd) }
                throw .system(error)
            }
        }
        return handles
    }
}
