import TaurunAudit
import TaurunCgroups
import TaurunLinux
import TaurunOCI
import TaurunSeccomp

#if canImport(Glibc)
import Glibc
import TaurunSupport
#endif

/// A container taurun has just created and whose first process is still this process's child (used by `run`).
public struct CreatedContainer {
    public let id: String
    public let pid: Int32
    /// The pty master when `run` holds the terminal itself (terminal: true, no --console-socket), else -1.
    public var ptyMaster: Int32 = -1
    /// The Tau security monitor this process forked (-1: none), reaped by `run` once the container is gone.
    public var monitorPid: Int32 = -1
    /// Its monitor asks on the terminal of this process (an on_violation = "ask" app given CreateOptions.promptChannel).
    public var asksOnTerminal = false

    public init(id: String, pid: Int32, ptyMaster: Int32 = -1, monitorPid: Int32 = -1) {
        self.id = id
        self.pid = pid
        self.ptyMaster = ptyMaster
        self.monitorPid = monitorPid
    }
}

extension Runtime {
    /// `create`: everything that can be checked is checked before anything is made; then each thing is recorded in
    /// the state dir before it is created, so an error here — or a SIGKILL at any instant — leaves only what
    /// `delete --force` finds and removes. Returns once the container process waits in `created`.
    /// `learning` (`taurun learn`, a Tau app only): its security monitor records instead of stopping the app.
    public func create(id: String, bundle: String, options: CreateOptions, learning: Bool = false) throws(RuntimeError) -> CreatedContainer {
        try ContainerID.validate(id)
        // Before taurun opens anything: a closed fd in 3…N+2 would otherwise be filled by one of taurun's own (the
        // exec fifo, the sync socket, the state dir's lock) and handed to the container.
        try checkPreserved(fds: options.preserveFDs)
        // Cheap early answer for the common case; the atomic mkdir in reserve() decides races.
        if Files.exists(store.directory(of: id)) { throw .alreadyExists(id) }
        // Started once we know the parent attaches the pid itself (no CgroupSelfJoin): its RCU grace period then
        // runs while we record and make the cgroups.
        var warmup = CgroupAttachWarmup.none
        defer { warmup.reap() }
        let bundlePath = try absoluteBundle(bundle)
        let spec: Spec, configBytes: [UInt8]
        do {
            (spec, configBytes) = try Spec.loadKeepingBytes(path: bundlePath + "/config.json")
            try spec.validate()
        } catch { throw .spec(error) }
        if let offsets = spec.linux?.timeOffsets, !offsets.isEmpty {
            throw .unsupported(field: "linux.timeOffsets", value: offsets.keys.sorted().joined(separator: ","),
                               reason: "time namespace offsets are not supported by taurun:")
        }
        let app = try TauAppPolicy.from(annotations: spec.annotations, mounts: spec.mounts)
        // An unusable prompt setting is refused before anything exists.
        if app?.onViolation == .ask { _ = try PromptSettings.current() }
        if learning && app == nil {
            throw .container("learning needs a sandboxed Tau app's bundle (taurun convert), with its security monitor")
        }
        let skippedLSM = try LSMRequirement.check(
            process: spec.process, appProfile: app == nil ? nil : spec.annotations?[TauAnnotation.appArmorProfile],
            required: requireLSM || app?.requiresLSM == true)
        var plan = try InitPlan.build(spec: spec, bundle: bundlePath, containerID: id, options: options)
        // The two setups where a clone of taurun lives where the container can see it before the program starts (a
        // joined pid namespace: the other container watches the init set up; startContainer hooks: the init waits
        // for `start` as itself) run from a sealed copy of taurun. Nothing exists yet: the re-exec starts over.
        if plan.joins.contains(where: { $0.kind == .pid }) || !plan.startContainerHooks.isEmpty {
            do { try SealedSelf.ensure() } catch { throw .system(error) }
        }
        let seccomp = try seccompProgram(spec, app: app, learning: learning)
        var cgroup: any CgroupManager
        var resources = spec.linux?.resources
        let rootless = self.rootless
        do {
            let layout = try Cgroups.detectLayout()
            cgroup = try Cgroups.manager(containerID: id, cgroupsPath: spec.linux?.cgroupsPath, systemd: systemdCgroup, layout: layout)
            if rootless, let cgroupfs = cgroup as? CgroupfsManager {
                let decision = try RootlessCgroups.decide(cgroupfs, resources: resources, explicitPath: spec.linux?.cgroupsPath)
                (cgroup, resources) = (decision.manager, decision.resources)
            }
            try cgroup.validate(resources)
        } catch {
            // A concurrent create of this id may have won since the check above: its cgroup now holds its process.
            if Files.exists(store.directory(of: id)) { throw .alreadyExists(id) }
            throw .cgroup(error.description)
        }
        // A rootless container runs in the caller's cgroups where it has none of its own; its cgroup mount shows those.
        plan.bindCgroups(to: cgroup.paths.dirs + (rootless ? Cgroups.ownDirectories() : []))
        plan.runtimeHooksOpenNamespaces = rootless && plan.runtimeHooks && plan.newUserNamespace
        let selfJoin = CgroupSelfJoin.plan(
            dirs: cgroup.paths.dirs, systemd: systemdCgroup || cgroup.paths.systemdUnit != nil,
            userNamespace: plan.newUserNamespace || plan.joins.contains { $0.kind == .user }, twoStage: plan.needsTwoStageClone)
        // setns into a time namespace needs a process whose memory nobody else shares (EUSERS): no helper then.
        if selfJoin == nil && !systemdCgroup && !cgroup.paths.dirs.isEmpty && !plan.joins.contains(where: { $0.kind == .time }) {
            warmup = CgroupAttachWarmup.start()
        }

        // From here on, things exist: record first, then create.
        let lock = try store.reserve(id)
        var record = ContainerRecord(
            id: id, bundle: bundlePath, rootfs: plan.rootfs, created: WallClock.now(fractionDigits: 9), owner: Owner.name(),
            phase: .creating, creatorPid: getpid(), creatorStartTime: Processes.startTime(of: getpid()),
            pid: nil, pidStartTime: nil, cgroupDirs: cgroup.paths.dirs, annotations: spec.annotations,
            memoryLimit: spec.linux?.resources?.memory?.limit, hooks: spec.hooks, ociVersion: spec.ociVersion)
        record.cgroupSystemdUnit = cgroup.paths.systemdUnit
        if options.noNewKeyring { record.noNewKeyring = true }
        record.auditLog = auditLogPath
        if learning { record.learning = true }
        let childPid: pid_t
        var ptyMaster: Int32 = -1
        do {
            try store.save(record)
            // What exec applies later: this config, not whatever the bundle's file says by then.
            try recordConfig(configBytes, of: id)
            childPid = try launch(spec: spec, plan: plan, seccomp: seccomp, app: app, cgroup: cgroup, resources: resources, selfJoin: selfJoin,
                                  record: &record, options: options, lockFD: lock.fd, ptyMaster: &ptyMaster)
        } catch {
            // launch records the pid right after clone (inout is written back on throw too).
            // The monitor ends with the init; reap both so neither is left behind, not even as a zombie.
            for child in [record.pid, record.monitorPid].compactMap({ $0 }) {
                Processes.signalChild(child, SIGKILL)
                _ = try? Processes.wait(child)
            }
            try? cgroup.destroy()
            try? store.remove(id)
            lock.release()
            throw error
        }
        lock.release()
        audit(.create, record: record, what: "created")
        if let skipped = skippedLSM {
            audit(.lsmSkipped, record: record, action: "skipped", what: "runs without " + skipped)
        }
        var created = CreatedContainer(id: id, pid: childPid, ptyMaster: ptyMaster, monitorPid: record.monitorPid ?? -1)
        created.asksOnTerminal = app?.onViolation == .ask && !learning && options.promptChannel >= 0 && created.monitorPid > 0
        return created
    }

    /// The BPF program of `spec`'s filter, for create and exec alike. Compiled programs are cached beside the state
    /// root (not in it: every directory there is a container), keyed by the profile: a hit skips libseccomp
    /// entirely. A Tau app's denials are routed to its security monitor (SCMP_ACT_NOTIFY); a learning run's filter
    /// also routes the granted uses learn watches (LearnMode.filter), and that of an app with asked devices its
    /// opens (AskedDevice.filter).
    func seccompProgram(_ spec: Spec, app: TauAppPolicy?, learning: Bool = false) throws(RuntimeError) -> SeccompProgram? {
        let cache = SeccompProgramCache(directory: store.root + ".seccomp-cache")
        let monitored: (LinuxSeccomp) -> LinuxSeccomp
        if learning {
            monitored = { LearnMode.filter(TauAppPolicy.monitored($0)) }
        } else if app?.askedDevices.isEmpty == false {
            monitored = { AskedDevice.filter(TauAppPolicy.monitored($0)) }
        } else {
            monitored = TauAppPolicy.monitored
        }
        let filter = app == nil ? spec.linux?.seccomp : spec.linux?.seccomp.map(monitored)
        do { return try filter.map { s throws(SeccompError) in try cache.program(for: s, monitoredDefault: app != nil).program } } catch {
            throw .seccomp(error.description)
        }
    }

    private func recordConfig(_ bytes: [UInt8], of id: String) throws(RuntimeError) {
        do { try Files.writeAtomically(store.configFile(of: id), bytes) } catch { throw .system(error) }
    }

    private func absoluteBundle(_ bundle: String) throws(RuntimeError) -> String {
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard realpath(bundle, &buf) != nil else {
            throw .system(SyscallError("chdir", bundle))
        }
        return String(cString: buf)
    }

    /// Clone the container process and drive it through the sync protocol to `created`.
    private func launch(spec: Spec, plan: InitPlan, seccomp: SeccompProgram?, app: TauAppPolicy?, cgroup: any CgroupManager,
                        resources: LinuxResources?, selfJoin: CgroupSelfJoin?, record: inout ContainerRecord, options: CreateOptions, lockFD: Int32,
                        ptyMaster: inout Int32) throws(RuntimeError) -> pid_t {
        // Id-mapped binds are made here, before the clone, as detached trees the child inherits and attaches.
        var plan = plan
        let idMappedTrees = try BindSources.makeIDMappedTrees(&plan)
        defer { for fd in idMappedTrees { close(fd) } }
        let fifoPath = store.execFifo(of: record.id)
        let fifo: Int32
        do { fifo = try ExecFifo.create(fifoPath) } catch { throw .system(error) }
        defer { close(fifo) }
        let channels: (parent: SyncChannel, child: SyncChannel)
        do { channels = try SyncChannel.pair() } catch { throw .system(error) }
        defer { channels.parent.close() }
        var consoleFD: Int32 = -1
        if let socket = options.consoleSocket {
            do { consoleFD = try UnixSocket.connect(.path(socket)) } catch { channels.child.close(); throw .system(error) }
        }
        // `run` in the foreground with a terminal: the child sends the pty master to us over a private socketpair.
        var consoleReceiver: Int32 = -1
        if plan.process.terminal && options.consoleSocket == nil && options.foregroundTerminal {
            var pair: [Int32] = [-1, -1]
            if socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) != 0 {
                channels.child.close(); throw .system(SyscallError("socketpair"))
            }
            consoleReceiver = pair[0]
            consoleFD = pair[1]
        }
        defer {
            if consoleFD >= 0 { close(consoleFD) }
            if consoleReceiver >= 0 { close(consoleReceiver) }
        }

        // Every process entering the container runs the program through this sealed memfd (ExecTrampoline).
        let trampoline: ExecTrampoline
        do { trampoline = try ExecTrampoline.load() } catch { channels.child.close(); throw .system(error) }
        defer { close(trampoline.fd) }
        // With CgroupSelfJoin the cgroups exist before the clone: it lands in the cgroup2 one and the child moves
        // itself into the v1 ones. Else they are made and joined while the child builds its rootfs (below).
        var selfJoin = selfJoin
        var unifiedFD: Int32 = -1
        defer { if unifiedFD >= 0 { close(unifiedFD) } }
        if let join = selfJoin {
            do {
                try cgroup.create()
                try cgroup.apply(resources)
            } catch { channels.child.close(); throw .cgroup(error.description) }
            if let dir = join.unifiedDir {
                do { unifiedFD = try Files.open(dir, O_RDONLY | O_DIRECTORY) } catch { channels.child.close(); throw .system(error) }
            }
        }

        // Seen from a new pid namespace the parent is pid 0.
        let parentPid = (plan.newNamespaces & NamespaceKind.pid.cloneFlag) != 0 || plan.joins.contains { $0.kind == .pid } ? 0 : getpid()
        let twoStage = plan.needsTwoStageClone
        // pid and time namespaces joined by path apply to children only (pid_for_children): joined for the clone
        // alone, so the hooks and the security monitor this process starts later are not born inside.
        let joined: ChildNamespaces
        do { joined = try ChildNamespaces.enter(plan.joins.filter { $0.kind == .pid || $0.kind == .time }) } catch {
            channels.child.close(); throw .system(error)
        }
        var pid: pid_t = -1
        do throws(SyscallError) {
            let flags = twoStage ? 0 : plan.newNamespaces
            if unifiedFD >= 0 {
                do { pid = try Namespaces.clone(flags: flags, cgroupFD: unifiedFD) } catch {
                    // A kernel without CLONE_INTO_CGROUP (< 5.7): the parent attaches the pid as below.
                    guard [EINVAL, ENOSYS, E2BIG].contains(error.errno.rawValue) else { throw error }
                    selfJoin = nil
                    pid = try Namespaces.clone(flags: flags)
                }
            } else {
                pid = try Namespaces.clone(flags: flags)
            }
        } catch { joined.leave(); channels.child.close(); throw .system(error) }
        if pid != 0 { joined.leave() }
        if pid == 0 {
            // The flock lives in the open file description, which the child shares until it closes its copy.
            close(lockFD)
            channels.parent.close()
            let initProcess = ContainerInit(
                kernel: LinuxInitKernel(), plan: plan, sync: channels.child, execFifoFD: fifo, consoleSocketFD: consoleFD,
                parentPid: parentPid, seccomp: seccomp, trampoline: trampoline, namespacesJoined: twoStage,
                cgroupTasksFiles: selfJoin?.tasksFiles)
            if twoStage { initProcess.runFirstStage() }
            initProcess.run()
        }
        channels.child.close()
        if twoStage {
            // The first stage joins, unshares, forks the init as our child (CLONE_PARENT), reports its pid, exits.
            record.pid = pid
            try store.save(record)
            let stage1 = pid
            let message: SyncMessage?
            do { message = try channels.parent.receive() } catch { throw .system(error) }
            _ = try? Processes.wait(stage1)
            switch message {
            case .initPid(let initPid)?: pid = initPid
            case .failed(let text)?: throw .container(text)
            default: throw .container("container init exited before it was ready")
            }
        }
        record.pid = pid
        record.pidStartTime = Processes.startTime(of: pid)
        try store.save(record)
        if plan.newUserNamespace {
            try UserNamespaceMaps.write(pid: pid, uidMappings: plan.uidMappings, gidMappings: plan.gidMappings)
        }
        if let adj = plan.process.oomScoreAdj {
            do { try Files.writeValue("/proc/\(pid)/oom_score_adj", String(adj)) } catch { throw .system(error) }
        }

        try driveToCreated(channels.parent, pid: pid, spec: spec, plan: plan, app: app, cgroup: cgroup,
                           resources: resources, parentJoinsCgroup: selfJoin == nil, record: &record, options: options,
                           consoleReceiver: consoleReceiver, ptyMaster: &ptyMaster)
        return pid
    }

    func writePidFile(_ path: String, pid: pid_t) throws(RuntimeError) {
        do { try Files.writeAtomically(path, Array(String(pid).utf8), mode: 0o644) } catch { throw .system(error) }
    }
}

enum IDMap {
    /// uid_map/gid_map text: one "container host size" line per mapping, written in one write(2) as the kernel needs.
    static func format(_ mappings: [LinuxIDMapping]) -> String {
        mappings.map { "\($0.containerID) \($0.hostID) \($0.size)\n" }.joined()
    }

    /// For messages: "0:1000:1,1:100000:65536" (container:host:size each).
    static func describe(_ mappings: [LinuxIDMapping]) -> String {
        mappings.map { "\($0.containerID):\($0.hostID):\($0.size)" }.joined(separator: ",")
    }
}

public enum Owner {
    /// runc's `owner`: the user name of the caller (the state dir's owner).
    public static func name() -> String {
        let uid = getuid()
        if uid == 0 { return "root" }
        if let text = try? Files.readString("/etc/passwd") {
            for line in text.split(separator: "\n") {
                let f = line.split(separator: ":", omittingEmptySubsequences: false)
                if f.count > 2, UInt32(f[2]) == uid { return String(f[0]) }
            }
        }
        return String(uid)
    }
}
