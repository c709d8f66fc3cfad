import TaurunAudit
import TaurunCgroups
import TaurunLinux
import TaurunOCI
import TaurunSeccomp
import TaurunSupport

#if canImport(Glibc)
import Glibc
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
    /// The steps follow DESIGN.md's data flow: parse and validate the spec (loadConfig, checkTauApp, planInit), the
    /// cgroup (prepareCgroup, planCgroupJoin), lock and record the state (store.reserve, newRecord), then launch:
    /// clone the child with its namespaces, write its id maps and drive it over the sync socketpair to `created`.
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
        let config = try loadConfig(bundle: bundle)
        let spec = config.spec
        let (app, skippedLSM) = try checkTauApp(spec, learning: learning)
        // Read once for the plan's cgroup mounts, the cgroup layout and taurun's own cgroups (each read is a path
        // per host mount for the kernel: 20-30 µs here).
        let mounts = try? MountInfo.current()
        var plan = try planInit(spec, bundle: config.bundlePath, id: id, options: options, mounts: mounts)
        let seccomp = try seccompProgram(spec, app: app, learning: learning)
        let (cgroup, resources) = try prepareCgroup(id: id, spec: spec, mounts: mounts)
        let selfJoin = planCgroupJoin(&plan, cgroup: cgroup)
        // setns into a time namespace needs a process whose memory nobody else shares (EUSERS): no helper then.
        if selfJoin == nil && !systemdCgroup && !cgroup.paths.dirs.isEmpty && !plan.joins.contains(where: { $0.kind == .time }) {
            warmup = CgroupAttachWarmup.start()
        }

        // From here on, things exist: record first, then create.
        let lock = try store.reserve(id)
        var record = newRecord(id: id, config: config, plan: plan, cgroup: cgroup, options: options, learning: learning)
        let childPid: pid_t
        var ptyMaster: Int32 = -1
        do {
            try store.save(record)
            // What exec applies later: this config, not whatever the bundle's file says by then.
            try recordConfig(config.bytes, of: id)
            childPid = try launch(spec: spec, plan: plan, seccomp: seccomp, app: app, cgroup: cgroup, resources: resources, selfJoin: selfJoin,
                                  record: &record, options: options, lockFD: lock.fd, ptyMaster: &ptyMaster)
        } catch {
            // launch records the pid right after clone (inout is written back on throw too).
            undoCreate(record, cgroup: cgroup)
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

    /// The bundle's config.json, parsed and validated, and its bytes as read (recorded for exec).
    struct BundleConfig {
        let bundlePath: String
        let spec: Spec
        let bytes: [UInt8]
    }

    /// Parse and validate: the bundle made absolute, config.json read and checked against the spec and what taurun
    /// supports.
    private func loadConfig(bundle: String) throws(RuntimeError) -> BundleConfig {
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
        return BundleConfig(bundlePath: bundlePath, spec: spec, bytes: configBytes)
    }

    /// A Tau app's policy from the bundle's annotations (nil for a plain OCI bundle), its prompt setting and LSM
    /// requirement checked; `skippedLSM` names the LSM it runs without, for the audit record.
    private func checkTauApp(_ spec: Spec, learning: Bool) throws(RuntimeError) -> (app: TauAppPolicy?, skippedLSM: String?) {
        let app = try TauAppPolicy.from(annotations: spec.annotations, mounts: spec.mounts)
        // An unusable prompt setting is refused before anything exists.
        if app?.onViolation == .ask { _ = try PromptSettings.current() }
        if learning && app == nil {
            throw .container("learning needs a sandboxed Tau app's bundle (taurun convert), with its security monitor")
        }
        let skippedLSM = try LSMRequirement.check(
            process: spec.process, appProfile: app == nil ? nil : spec.annotations?[TauAnnotation.appArmorProfile],
            required: requireLSM || app?.requiresLSM == true)
        return (app, skippedLSM)
    }

    /// The init's plan (InitPlan.build), and a sealed copy of taurun where the plan needs one.
    private func planInit(_ spec: Spec, bundle: String, id: String, options: CreateOptions, mounts: MountInfo?) throws(RuntimeError) -> InitPlan {
        let plan = try InitPlan.build(spec: spec, bundle: bundle, containerID: id, options: options, mounts: mounts)
        // The two setups where a clone of taurun lives where the container can see it before the program starts (a
        // joined pid namespace: the other container watches the init set up; startContainer hooks: the init waits
        // for `start` as itself) run from a sealed copy of taurun. Nothing exists yet: the re-exec starts over.
        if plan.joins.contains(where: { $0.kind == .pid }) || !plan.startContainerHooks.isEmpty {
            do { try SealedSelf.ensure() } catch { throw .system(error) }
        }
        return plan
    }

    /// The container's cgroup manager and the resources it will apply (a rootless container may get fewer, or the
    /// caller's cgroups), validated; nothing is made yet.
    private func prepareCgroup(id: String, spec: Spec, mounts: MountInfo?) throws(RuntimeError) -> (any CgroupManager, LinuxResources?) {
        var cgroup: any CgroupManager
        var resources = spec.linux?.resources
        do {
            let layout = try Cgroups.detectLayout(mounts)
            cgroup = try Cgroups.manager(containerID: id, cgroupsPath: spec.linux?.cgroupsPath, systemd: systemdCgroup, layout: layout,
                                         mounts: mounts)
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
        return (cgroup, resources)
    }

    /// What the plan needs of the cgroup (the directories its `cgroup` mounts show, whether rootless hooks may open
    /// the init's namespaces) and whether the init joins its cgroups itself (CgroupSelfJoin) or the parent adds it.
    private func planCgroupJoin(_ plan: inout InitPlan, cgroup: any CgroupManager) -> CgroupSelfJoin? {
        // A rootless container runs in the caller's cgroups where it has none of its own; its cgroup mount shows those.
        plan.bindCgroups(to: cgroup.paths.dirs + (rootless ? Cgroups.ownDirectories() : []))
        plan.runtimeHooksOpenNamespaces = rootless && plan.runtimeHooks && plan.newUserNamespace
        return CgroupSelfJoin.plan(
            dirs: cgroup.paths.dirs, systemd: systemdCgroup || cgroup.paths.systemdUnit != nil,
            userNamespace: plan.newUserNamespace || plan.joins.contains { $0.kind == .user }, twoStage: plan.needsTwoStageClone)
    }

    /// The state record written before anything is made (phase `creating`): what `delete --force` needs to find
    /// and remove whatever exists when create stops.
    private func newRecord(id: String, config: BundleConfig, plan: InitPlan, cgroup: any CgroupManager, options: CreateOptions,
                           learning: Bool) -> ContainerRecord {
        let spec = config.spec
        var record = ContainerRecord(
            id: id, bundle: config.bundlePath, rootfs: plan.rootfs, created: WallClock.now(fractionDigits: 9), owner: Owner.name(),
            phase: .creating, creatorPid: Processes.ownPID, creatorStartTime: Processes.startTime(of: Processes.ownPID),
            pid: nil, pidStartTime: nil, cgroupDirs: cgroup.paths.dirs, annotations: spec.annotations,
            memoryLimit: spec.linux?.resources?.memory?.limit, hooks: spec.hooks, ociVersion: spec.ociVersion)
        record.cgroupSystemdUnit = cgroup.paths.systemdUnit
        if options.noNewKeyring { record.noNewKeyring = true }
        record.auditLog = auditLogPath
        if learning { record.learning = true }
        return record
    }

    /// A create that failed after its record: the init and the monitor are killed and reaped (not even a zombie is
    /// left), the cgroup and the state directory removed.
    private func undoCreate(_ record: ContainerRecord, cgroup: any CgroupManager) {
        for child in [record.pid, record.monitorPid].compactMap({ $0 }) {
            Processes.signalChild(child, SIGKILL)
            _ = try? Processes.wait(child)
        }
        try? cgroup.destroy()
        try? store.remove(record.id)
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

    /// Written once, in place (O_EXCL, no temporary and rename: a file and a rename less per create): its only
    /// reader is exec, which runs on a created container, and a create killed while writing it never gets there.
    private func recordConfig(_ bytes: [UInt8], of id: String) throws(RuntimeError) {
        do { try FileIO<SyscallError>.createFile(store.configFile(of: id), bytes: bytes, mode: 0o600) } catch { throw .system(error) }
    }

    /// The bundle with symlinks resolved; a missing one fails as runc's chdir into it does.
    private func absoluteBundle(_ bundle: String) throws(RuntimeError) -> String {
        do { return try FileIO<SyscallError>.realPath(bundle) } catch {
            throw .system(SyscallError("chdir", bundle, errno: error.errno))
        }
    }

    /// Launch: the descriptors the init inherits, then clone the child with its namespaces (cloneInit), its pid
    /// recorded (recordInit: id maps, oom_score_adj) and the sync protocol driven to `created` (driveToCreated).
    private func launch(spec: Spec, plan: InitPlan, seccomp: SeccompProgram?, app: TauAppPolicy?, cgroup: any CgroupManager,
                        resources: LinuxResources?, selfJoin: CgroupSelfJoin?, record: inout ContainerRecord, options: CreateOptions, lockFD: Int32,
                        ptyMaster: inout Int32) throws(RuntimeError) -> pid_t {
        // Id-mapped binds are made here, before the clone, as detached trees the child inherits and attaches.
        var plan = plan
        let idMappedTrees = try BindSources.makeIDMappedTrees(&plan)
        defer { for fd in idMappedTrees { Files.close(fd) } }
        let fifo: Int32
        do { fifo = try ExecFifo.create(store.execFifo(of: record.id)) } catch { throw .system(error) }
        defer { Files.close(fifo) }
        let channels: (parent: SyncChannel, child: SyncChannel)
        do { channels = try SyncChannel.pair() } catch { throw .system(error) }
        defer { channels.parent.close() }
        let console: ConsoleEnds
        do { console = try openConsole(socket: options.consoleSocket, relayHere: plan.process.terminal && options.foregroundTerminal) } catch {
            channels.child.close(); throw error
        }
        defer { console.close() }
        // Every process entering the container runs the program through this sealed memfd (ExecTrampoline).
        let trampoline: ExecTrampoline
        do { trampoline = try ExecTrampoline.load() } catch { channels.child.close(); throw .system(error) }
        defer { Files.close(trampoline.fd) }
        let unifiedFD: Int32
        do { unifiedFD = try cgroupBeforeClone(selfJoin, cgroup: cgroup, resources: resources) } catch {
            channels.child.close(); throw error
        }
        defer { if unifiedFD >= 0 { Files.close(unifiedFD) } }
        // Seen from a new pid namespace the parent is pid 0.
        let parentPid = (plan.newNamespaces & NamespaceKind.pid.cloneFlag) != 0 || plan.joins.contains { $0.kind == .pid } ? 0 : Processes.ownPID
        var selfJoin = selfJoin
        let clonePid = try cloneInit(plan: plan, unifiedFD: unifiedFD, selfJoin: &selfJoin, sync: channels.child)
        if clonePid == 0 {
            // The flock lives in the open file description, which the child shares until it closes its copy.
            Files.close(lockFD)
            channels.parent.close()
            let initProcess = ContainerInit(
                kernel: LinuxInitKernel(), plan: plan, sync: channels.child, execFifoFD: fifo, consoleSocketFD: console.childEnd,
                parentPid: parentPid, seccomp: seccomp, trampoline: trampoline, namespacesJoined: plan.needsTwoStageClone,
                cgroupTasksFiles: selfJoin?.tasksFiles)
            if plan.needsTwoStageClone { initProcess.runFirstStage() }
            initProcess.run()
        }
        channels.child.close()
        let pid = try recordInit(clonePid, plan: plan, sync: channels.parent, record: &record)
        try driveToCreated(channels.parent, pid: pid, spec: spec, plan: plan, app: app, cgroup: cgroup,
                           resources: resources, parentJoinsCgroup: selfJoin == nil, record: &record, options: options,
                           consoleReceiver: console.receiver, ptyMaster: &ptyMaster)
        return pid
    }

    /// The ends of a terminal for a process entering the container (the init, or exec's): `childEnd` is the
    /// --console-socket connection it sends its pty master over or, when taurun relays the terminal itself
    /// (`relayHere`, without a console socket), the child's end of a private socketpair whose `receiver` taurun keeps.
    /// -1: none.
    struct ConsoleEnds {
        var childEnd: Int32 = -1
        var receiver: Int32 = -1

        func close() {
            if childEnd >= 0 { Files.close(childEnd) }
            if receiver >= 0 { Files.close(receiver) }
        }
    }

    func openConsole(socket: String?, relayHere: Bool) throws(RuntimeError) -> ConsoleEnds {
        var ends = ConsoleEnds()
        if let socket {
            do { ends.childEnd = try UnixSocket.connect(.path(socket)) } catch { throw .system(error) }
        } else if relayHere {
            do { (ends.receiver, ends.childEnd) = try UnixSocket.streamPair() } catch { throw .system(error) }
        }
        return ends
    }

    /// With CgroupSelfJoin the cgroups exist before the clone: it lands in the cgroup2 one (the returned directory
    /// fd, -1 for none) and the child moves itself into the v1 ones. Else they are made and joined while the child
    /// builds its rootfs (driveToCreated).
    private func cgroupBeforeClone(_ selfJoin: CgroupSelfJoin?, cgroup: any CgroupManager,
                                   resources: LinuxResources?) throws(RuntimeError) -> Int32 {
        guard let join = selfJoin else { return -1 }
        do {
            try cgroup.create()
            try cgroup.apply(resources)
        } catch { throw .cgroup(error.description) }
        guard let dir = join.unifiedDir else { return -1 }
        do { return try Files.open(dir, O_RDONLY | O_DIRECTORY) } catch { throw .system(error) }
    }

    /// Clone the child with its namespaces (none yet in the two-stage clone, whose first stage joins and unshares):
    /// 0 in the child, its pid in the parent. On a failure the child's sync end is closed.
    private func cloneInit(plan: InitPlan, unifiedFD: Int32, selfJoin: inout CgroupSelfJoin?,
                           sync: SyncChannel) throws(RuntimeError) -> pid_t {
        // pid and time namespaces joined by path apply to children only (pid_for_children): joined for the clone
        // alone, so the hooks and the security monitor this process starts later are not born inside.
        let joined: ChildNamespaces
        do { joined = try ChildNamespaces.enter(plan.joins.filter { $0.kind == .pid || $0.kind == .time }) } catch {
            sync.close(); throw .system(error)
        }
        var pid: pid_t = -1
        do throws(SyscallError) {
            let flags = plan.needsTwoStageClone ? 0 : plan.newNamespaces
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
        } catch { joined.leave(); sync.close(); throw .system(error) }
        if pid != 0 { joined.leave() }
        return pid
    }

    /// The init's pid recorded as soon as it is known (in the two-stage clone: the first stage's, then the init's it
    /// reports), its user namespace's id maps written and its oom_score_adj set. Returns the init's pid.
    private func recordInit(_ clonePid: pid_t, plan: InitPlan, sync: SyncChannel,
                            record: inout ContainerRecord) throws(RuntimeError) -> pid_t {
        var pid = clonePid
        if plan.needsTwoStageClone {
            // The first stage joins, unshares, forks the init as our child (CLONE_PARENT), reports its pid, exits.
            record.pid = pid
            try store.save(record)
            let message: SyncMessage?
            do { message = try sync.receive() } catch { throw .system(error) }
            _ = try? Processes.wait(clonePid)
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
        let uid = ProcessIdentity.realUID
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
