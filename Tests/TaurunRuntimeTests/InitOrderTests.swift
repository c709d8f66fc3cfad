import Testing
import TaurunLinux
import TaurunOCI
import TaurunSeccomp
@testable import TaurunRuntime

#if canImport(Glibc)
import Glibc
#endif

/// The order of the container setup, create's init and exec's child, run against RecordingKernel: no root, no
/// namespaces, every call the setup makes in one trace. What each test asserts is a rule of the runtime spec,
/// runc's or taurun's own defences (docs/security.md), named in the test.
@Suite struct InitOrderTests {
    static let syncFD: Int32 = 50, fifoFD: Int32 = 51, trampolineFD: Int32 = 52, leakedFD: Int32 = 9

    /// runc's default spec (all namespaces, its mounts, masked and read-only paths, no_new_privs, three
    /// capabilities) running /bin/true as uid 1000, with a sysctl and a createContainer hook.
    func plan(_ edit: (inout Spec) -> Void = { _ in }) throws -> InitPlan {
        var s = Spec.runcDefault(rootless: false)
        s.root = Root(path: "/")
        s.process?.terminal = false
        s.process?.args = ["/bin/true"]
        s.process?.user.uid = 1000
        s.process?.user.gid = 1000
        s.linux?.sysctl = ["net.ipv4.ip_forward": "1"]
        s.hooks = Hooks(createContainer: [Hook(path: "/bin/true")])
        edit(&s)
        return try InitPlan.build(spec: s, bundle: "/tmp", containerID: "order", options: CreateOptions())
    }

    var program: SeccompProgram { SeccompProgram(instructions: [], loadFlags: 0, usesNotify: false) }

    /// A real sealed memfd: ExecTrampoline has no other way in; the recording kernel never execs it.
    func trampoline() throws -> ExecTrampoline { try ExecTrampoline.load() }

    /// The parent's half of a create with no user namespace and no prestart hooks (SyncChannel's order).
    var createScript: [SyncMessage] { [.go("{}"), .cgroupJoined, .handover] }

    func runCreate(_ plan: InitPlan, script: [SyncMessage]? = nil, inherited: [Int32: (path: String, cloexec: Bool)] = [:],
                   passwd: String? = nil, twoStage: Bool = false) throws -> (RecordingKernel, InitStop) {
        var fds: [Int32: (path: String, cloexec: Bool)] = [
            Self.syncFD: ("sync socket", true), Self.fifoFD: ("exec fifo", true), Self.trampolineFD: ("trampoline", true),
            // A caller's fd that taurun was handed without close-on-exec (conmon, a shell): it must not reach the program.
            Self.leakedFD: ("leaked", false),
        ]
        for (fd, entry) in inherited { fds[fd] = entry }
        let kernel = RecordingKernel(script: script ?? createScript, inherited: fds)
        kernel.passwd = passwd
        let t = try trampoline()
        defer { close(t.fd) }
        let initProcess = ContainerInit(kernel: kernel, plan: plan, sync: SyncChannel(fd: Self.syncFD), execFifoFD: Self.fifoFD,
                                        consoleSocketFD: -1, parentPid: 1, seccomp: program, trampoline: t,
                                        namespacesJoined: twoStage)
        // The recording kernel's cloneSibling answers 0: the first stage returns as the init would.
        if twoStage { initProcess.runFirstStage() }
        return (kernel, initProcess.runUntilExec())
    }

    func runExec(_ plan: ProcessPlan, namespaces: [NamespaceKind] = [.mount, .user, .pid, .network]) throws -> (RecordingKernel, InitStop) {
        let handles = namespaces.enumerated().map { NamespaceHandle(kind: $1, fd: Int32(60 + $0), path: "/proc/7/ns/" + $1.procName) }
        var fds: [Int32: (path: String, cloexec: Bool)] = [Self.syncFD: ("sync socket", true), Self.leakedFD: ("leaked", false)]
        for h in handles { fds[h.fd] = (h.path, true) }
        let kernel = RecordingKernel(script: [.go("")], inherited: fds)
        let t = try trampoline()
        defer { close(t.fd) }
        let child = ExecInit(kernel: kernel, plan: plan, sync: SyncChannel(fd: Self.syncFD), namespaces: handles,
                             consoleSocketFD: -1, parentPid: 1, seccomp: program, trampoline: t)
        return (kernel, child.runUntilExec())
    }

    func expectOrder(_ k: RecordingKernel, _ a: Int?, _ b: Int?, _ what: Comment, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let a, let b else {
            Issue.record("\(what): a call is missing from the trace:\n\(k.calls)", sourceLocation: sourceLocation)
            return
        }
        #expect(a < b, "\(what)", sourceLocation: sourceLocation)
    }

    // MARK: - create

    @Test func createReachesTheExecAndNothingElseFails() throws {
        let (k, stop) = try runCreate(try plan())
        guard case .failedAfterReady(let message) = stop else { Issue.record("stopped with \(stop): \(k.calls)"); return }
        #expect(message.contains("execveat"))
        #expect(k.names.last == "exec")
    }

    /// Runtime spec: mounts, then createContainer hooks, then pivot_root; masks, read-only paths and sysctls after.
    @Test func pivotRootComesAfterEveryMountAndBeforeMasksAndSysctls() throws {
        let p = try plan()
        let (k, _) = try runCreate(p)
        let pivot = k.first("pivot_root")
        for m in p.mounts {
            expectOrder(k, k.last("createInRoot", m.destination) ?? k.last("openDeepestExisting", m.destination), pivot,
                        "mount \(m.destination) before pivot_root")
        }
        expectOrder(k, k.last("createInRoot", "/dev/null"), pivot, "default devices before pivot_root")
        expectOrder(k, k.last("createInRoot"), k.first("hooks", "createContainer"), "createContainer hooks after the mounts")
        expectOrder(k, k.first("hooks", "createContainer"), pivot, "createContainer hooks before pivot_root")
        // The private procfs every later /proc write goes through is taken while the container's /proc is not root.
        expectOrder(k, k.first("openProcFS"), pivot, "procfs handle opened before pivot_root")
        expectOrder(k, pivot, k.first("procWrite", "sys/net/ipv4/ip_forward"), "sysctl after pivot_root")
        for path in p.maskedPaths + p.readonlyPaths {
            expectOrder(k, pivot, k.first("openat2", path), "\(path) masked or made read-only after pivot_root")
        }
        expectOrder(k, k.last("openat2", p.readonlyPaths.last ?? ""), k.first("setrlimit"), "rlimits after the masks")
        expectOrder(k, pivot, k.first("setsid"), "the process tail runs inside the new root")
    }

    /// no_new_privs before seccomp (the filter is loaded unprivileged), and the filter goes in after every
    /// credential change, cwd check and fd cleanup: the last filter-relevant step.
    @Test func seccompComesAfterNoNewPrivilegesAndEverythingElse() throws {
        let (k, _) = try runCreate(try plan())
        let seccomp = k.first("seccomp")
        #expect(k.all("seccomp").count == 1)
        for call in ["setsid", "joinSessionKeyring", "fchown", "limitBounding", "setgroups", "setgid", "setuid",
                     "capabilities", "chdir", "noNewPrivileges", "closeOnExec", "umask", "readFile"] {
            expectOrder(k, k.last(call), seccomp, "\(call) before seccomp")
        }
        expectOrder(k, seccomp, k.first("send", "ready"), "the filter is in before the container is ready")
    }

    /// After the filter only the sync exchange, the LSM label writes, the signal reset and the execve: what a
    /// profile must allow for the program to start at all (docs/seccomp.md).
    @Test func afterSeccompOnlyTheHandoverLabelsSignalsAndExec() throws {
        var p = try plan()
        p.process.apparmorProfile = "taurun-test"
        p.process.selinuxLabel = "system_u:system_r:container_t:s0"
        let (k, _) = try runCreate(p)
        guard let seccomp = k.first("seccomp") else { Issue.record("no seccomp in \(k.calls)"); return }
        let allowed: Set<String> = ["send", "receive", "close", "clearParentDeathSignal", "procWrite", "resetSignals", "exec"]
        let after = k.calls[(seccomp + 1)...]
        #expect(after.allSatisfy { allowed.contains($0.name) }, "after seccomp: \(Array(after))")
        #expect(after.filter { $0.name == "procWrite" }.allSatisfy { $0.detail.contains("attr/") })
        // LSM labels and the signal reset come last, after the handover, just before the exec.
        expectOrder(k, k.first("receive", "handover"), k.first("procWrite", "attr/apparmor/exec"), "labels after the handover")
        expectOrder(k, k.first("procWrite", "attr/exec="), k.first("resetSignals"), "signals reset after the labels")
        expectOrder(k, k.last("clearParentDeathSignal"), k.first("exec"), "no parent-death signal at the exec")
    }

    /// HOME comes from the container's /etc/passwd, read before the filter is in (a profile need not allow it).
    @Test func homeIsLookedUpBeforeSeccomp() throws {
        let (k, _) = try runCreate(try plan(), passwd: "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n")
        #expect(k.execEnv?.contains("HOME=/home/app") == true)
        expectOrder(k, k.first("readFile", "/etc/passwd"), k.first("seccomp"), "/etc/passwd read before seccomp")
        let (unreadable, _) = try runCreate(try plan())
        #expect(unreadable.execEnv?.contains("HOME=/") == true)
    }

    /// Without no_new_privs loading a filter needs CAP_SYS_ADMIN: it goes in before the credentials drop it.
    @Test func withoutNoNewPrivilegesSeccompComesBeforeTheCredentials() throws {
        let (k, _) = try runCreate(try plan { $0.process?.noNewPrivileges = false })
        #expect(k.first("noNewPrivileges") == nil)
        expectOrder(k, k.first("setsid"), k.first("seccomp"), "setsid before seccomp")
        expectOrder(k, k.first("seccomp"), k.first("limitBounding"), "seccomp while CAP_SYS_ADMIN is held")
        expectOrder(k, k.first("seccomp"), k.first("setuid"), "seccomp before setuid")
    }

    /// Credentials in the order that keeps the capabilities asked for: bounding set, keepcaps, groups, gid, uid,
    /// then the sets; the parent-death signal setuid clears is armed again.
    @Test func credentialsInOrder() throws {
        let (k, _) = try runCreate(try plan())
        let order = ["limitBounding", "keepCapabilities", "setgroups", "setgid", "setuid", "capabilities"]
        for (a, b) in zip(order, order.dropFirst()) { expectOrder(k, k.first(a), k.first(b), "\(a) before \(b)") }
        expectOrder(k, k.first("setuid"), k.last("dieWithParent"), "parent-death signal re-armed after setuid")
        expectOrder(k, k.first("setsid"), k.first("joinSessionKeyring"), "a new session, then its keyring")
        expectOrder(k, k.first("joinSessionKeyring"), k.first("setuid"), "keyring joined while still root")
    }

    /// Only stdio (and the exec fifo the trampoline waits on and closes) reaches the program; a leaked fd does not.
    @Test func onlyStdioReachesTheProgram() throws {
        let (k, _) = try runCreate(try plan())
        #expect(k.fdsAtExec == [0, 1, 2, Self.fifoFD])
        guard case .waitForByte(let fd)? = k.execMode else { Issue.record("exec mode \(String(describing: k.execMode))"); return }
        #expect(fd == Self.fifoFD)
    }

    @Test func preservedFDsReachTheProgram() throws {
        var p = try plan()
        p.process.preserveFDs = 2
        let (k, _) = try runCreate(p, inherited: [3: ("preserved", true), 4: ("preserved", false)])
        #expect(k.fdsAtExec == [0, 1, 2, 3, 4, Self.fifoFD])
    }

    /// With startContainer hooks the init waits for `start` itself, runs them, then execs without the fifo.
    @Test func startContainerHooksRunAfterStartBeforeTheExec() throws {
        let (k, _) = try runCreate(try plan { $0.hooks?.startContainer = [Hook(path: "/bin/true")] })
        expectOrder(k, k.first("send", "ready"), k.first("waitForStart"), "wait for start after ready")
        expectOrder(k, k.first("waitForStart"), k.first("hooks", "startContainer"), "startContainer hooks after start")
        expectOrder(k, k.first("hooks", "startContainer"), k.first("exec"), "startContainer hooks before the exec")
        #expect(k.fdsAtExec == [0, 1, 2])
    }

    /// In a new user namespace the init stays dumpable until `go` (the parent writes its maps), then becomes the
    /// namespace's root before it mounts anything; the rootfs comes from the parent as an fd.
    @Test func userNamespaceInitHidesAfterGoAndBecomesRootFirst() throws {
        let p = try plan {
            $0.linux?.namespaces?.append(LinuxNamespace(type: .user))
            $0.linux?.uidMappings = [LinuxIDMapping(containerID: 0, hostID: 100000, size: 65536)]
            $0.linux?.gidMappings = [LinuxIDMapping(containerID: 0, hostID: 100000, size: 65536)]
        }
        #expect(p.rootfsFromParent)
        let (k, stop) = try runCreate(p, script: [.bindSource(70), .go("{}"), .cgroupJoined, .handover])
        guard case .failedAfterReady = stop else { Issue.record("stopped with \(stop): \(k.calls)"); return }
        expectOrder(k, k.first("receive", "go"), k.first("hideFromContainer"), "dumpable until go")
        expectOrder(k, k.first("becomeNamespaceRoot"), k.first("mount"), "namespace root before the first mount")
        expectOrder(k, k.first("open_tree"), k.first("pivot_root"), "the parent's rootfs fd is cloned before pivot_root")
    }

    /// Rootless with createRuntime hooks (a Tau app's network hook): dumpable again only while the parent runs them,
    /// so that the user's hook may open /proc/<init>/ns/*; hidden again before anything else happens.
    @Test func rootlessRuntimeHooksSeeTheInitOnlyWhileTheyRun() throws {
        var p = try plan {
            $0.linux?.namespaces?.append(LinuxNamespace(type: .user))
            $0.linux?.uidMappings = [LinuxIDMapping(containerID: 0, hostID: 100000, size: 65536)]
            $0.linux?.gidMappings = [LinuxIDMapping(containerID: 0, hostID: 100000, size: 65536)]
            $0.hooks?.createRuntime = [Hook(path: "/usr/bin/taurun", args: ["taurun", "network-hook"])]
        }
        p.runtimeHooksOpenNamespaces = true
        let (k, stop) = try runCreate(p, script: [.bindSource(70), .go("{}"), .cgroupJoined, .hooksDone, .handover])
        guard case .failedAfterReady = stop else { Issue.record("stopped with \(stop): \(k.calls)"); return }
        expectOrder(k, k.first("receive", "go"), k.first("hideFromContainer"), "dumpable until go")
        expectOrder(k, k.first("hideFromContainer"), k.first("showToRuntimeHooks"), "hidden, then shown for the hooks")
        expectOrder(k, k.first("showToRuntimeHooks"), k.first("send", "hooks"), "shown before the parent runs the hooks")
        expectOrder(k, k.first("receive", "hooksDone"), k.last("hideFromContainer"), "hidden again once they are done")
        expectOrder(k, k.last("hideFromContainer"), k.first("hooks", "createContainer"), "hidden before the container's own hooks")
    }

    /// A joined user namespace with new ones: the first stage joins it, creates the others inside, forks the init;
    /// the init does not join again, and becomes the namespace's root before it mounts.
    @Test func twoStageCloneJoinsThenUnsharesThenForks() throws {
        let p = try plan { $0.linux?.namespaces?.append(LinuxNamespace(type: .user, path: "/proc/self/ns/user")) }
        #expect(p.needsTwoStageClone)
        let (k, stop) = try runCreate(p, script: [.bindSource(70), .go("{}"), .cgroupJoined, .handover], twoStage: true)
        guard case .failedAfterReady = stop else { Issue.record("stopped with \(stop): \(k.calls)"); return }
        #expect(k.all("setns").count == 1)
        expectOrder(k, k.first("setns", "user"), k.first("unshare"), "user namespace joined before the others are made")
        expectOrder(k, k.first("unshare"), k.first("cloneSibling"), "namespaces made before the init is forked")
        expectOrder(k, k.first("cloneSibling"), k.first("receive"), "the init talks to the parent")
        expectOrder(k, k.first("becomeNamespaceRoot"), k.first("mount"), "namespace root before the first mount")
    }

    /// A terminal: create's init leads its session and takes the pty as its controlling terminal; exec's child only
    /// puts it on stdio (the sibling the trampoline starts makes it controlling in its own session).
    @Test func consoleAfterTheSessionBeforeTheCredentials() throws {
        var p = try plan()
        p.process.terminal = true   // what a --console-socket create plans
        let (k, _) = try runCreate(p)
        expectOrder(k, k.first("setsid"), k.first("setUpConsole", "controlling"), "console after setsid")
        expectOrder(k, k.first("setUpConsole"), k.first("fchown"), "the pty is handed to the user")
        expectOrder(k, k.first("setUpConsole"), k.first("setuid"), "console set up while still root")
        var process = Process(terminal: true, user: User(uid: 1000, gid: 1000), args: ["/bin/true"], cwd: "/")
        process.noNewPrivileges = true
        let (e, _) = try runExec(try ProcessPlan.build(process: process, keyring: nil, preserveFDs: 0))
        #expect(e.first("setUpConsole", "stdio") != nil)
        #expect(e.first("joinSessionKeyring") == nil)
        guard case .spawnSibling(_, let terminal)? = e.execMode else { Issue.record("exec mode"); return }
        #expect(terminal)
    }

    /// The parent hanging up at any point ends the init without an exec.
    @Test func parentHangingUpStopsTheInit() throws {
        for cut in 0..<3 {
            let (k, stop) = try runCreate(try plan(), script: Array(createScript.prefix(cut)))
            guard case .abandoned = stop else { Issue.record("cut \(cut): \(stop)"); continue }
            #expect(k.first("exec") == nil)
        }
    }

    // MARK: - exec

    func execPlan(noNewPrivileges: Bool = true) throws -> ProcessPlan {
        var process = Process(user: User(uid: 1000, gid: 1000), args: ["/bin/true"], cwd: "/")
        process.noNewPrivileges = noNewPrivileges
        process.rlimits = [POSIXRlimit(type: .nofile, hard: 1024, soft: 1024)]
        process.oomScoreAdj = 100
        return try ProcessPlan.build(process: process, keyring: "order", preserveFDs: 0)
    }

    /// runc's setns init: limits and oom_score_adj while still privileged on the host, then the user namespace,
    /// then the others; the procfs handle is taken in taurun's own mount namespace.
    @Test func execChildEntersTheUserNamespaceFirst() throws {
        let (k, stop) = try runExec(try execPlan())
        guard case .failed(let message) = stop else { Issue.record("stopped with \(stop): \(k.calls)"); return }
        #expect(message.contains("execveat"))
        let joins = k.calls.filter { $0.name == "setns" }.map(\.detail)
        #expect(joins == ["user", "mnt", "pid", "net"])
        expectOrder(k, k.first("receive", "go"), k.first("openProcFS"), "nothing before the parent's go")
        expectOrder(k, k.first("openProcFS"), k.first("setns"), "procfs opened before any setns")
        expectOrder(k, k.first("setrlimit"), k.first("setns", "user"), "rlimits before the user namespace")
        expectOrder(k, k.first("procWrite", "oom_score_adj"), k.first("setns", "user"), "oom_score_adj before the user namespace")
        for fd in 60..<64 { expectOrder(k, k.first("close", "\(fd)"), k.first("exec"), "namespace fd \(fd) closed before the exec") }
    }

    /// The exec'd process gets the tail create's init gets (ProcessSetup): the same calls in the same order from
    /// the keyring to the exec, but setsid, which the sibling the trampoline starts does itself.
    @Test func execChildSharesCreatesTail() throws {
        let (created, _) = try runCreate(try plan { $0.process?.rlimits = nil })
        let (execd, _) = try runExec(try execPlan())
        func tail(_ k: RecordingKernel) -> [String] {
            guard let start = k.first("joinSessionKeyring"), let seccomp = k.first("seccomp") else { return [] }
            return Array(k.names[start...seccomp])
        }
        #expect(!tail(created).isEmpty)
        #expect(tail(created) == tail(execd))
        #expect(execd.first("setsid") == nil)
        expectOrder(execd, execd.first("noNewPrivileges"), execd.first("seccomp"), "no_new_privs before seccomp")
        #expect(execd.fdsAtExec == [0, 1, 2, Self.syncFD])
        guard case .spawnSibling(let fd, _)? = execd.execMode else { Issue.record("exec mode"); return }
        #expect(fd == Self.syncFD)
    }
}
