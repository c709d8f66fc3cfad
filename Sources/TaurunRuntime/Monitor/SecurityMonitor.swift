import TaurunAudit
import TaurunLinux
import TaurunSeccomp

#if canImport(Glibc)
import Glibc
#endif

/// The security monitor of a Tau app: a small single-threaded process, forked by `create`, that holds the
/// container's seccomp-notify listener. Every call the app's filter denies is trapped to it; it writes one audit
/// record and applies on_violation — "terminate" kills the container, "deny" fails the call with EPERM. Decisions
/// use the syscall number and integer arguments only: memory the app can still change is read only to choose a
/// question or a record (an open under "ask" that may name an asked device, learn's paths), never to let a call run
/// that the bundle would refuse.
///
/// It lives exactly as long as the container: it watches the init's pidfd and the listener (which hangs up once
/// every process under the filter is gone), so it also ends when `taurun create` itself exits under Podman, and
/// when create fails or is killed (the init dies with it). It is not in the container's cgroup: it must not count
/// against the app's pids or memory, nor be frozen with it.
///
/// Under on_violation = "ask" it holds a call that needs a requested, undecided permission and asks the user
/// (SecurityMonitor+Prompt, docs/prompts.md); an open of an asked device is answered with a descriptor the monitor
/// opened itself (SecurityMonitor+Devices).
///
/// For `taurun learn` it records instead: nothing is killed, every call is answered as the app's permissions make
/// it and written down (SecurityMonitor+Learn, LearnMode).
enum SecurityMonitor {
    struct Context {
        let policy: TauAppPolicy
        let containerID: String
        let auditLogPath: String
        /// Where the line of a terminating violation goes, for `taurun run` to print once the container is gone.
        let violationFile: String
        /// Set for a `taurun learn` run: record each call here instead of applying on_violation
        /// (SecurityMonitor+Learn).
        var learnFile: String? = nil
        /// on_violation = "ask": how questions behave (SecurityMonitor+Prompt).
        var prompts: PromptSettings? = nil
        /// The grant store ("always" answers and the recorded decisions), from the CLI.
        var consent: (any RuntimeConsentStore)? = nil
        /// The monitor's end of the channel to `taurun run`'s terminal (-1: none).
        var promptTerminal: Int32 = -1
        /// Learn only: the open and connect calls the bundle allows and learn's filter routes here to read their
        /// path (LearnMode.watchedPathCalls); they run on.
        var learnWatched: Set<String> = []
        /// Learn only: the host paths the app was granted (TAU_DATA), where an open is a use of `filesystem`.
        var grantedPaths: [String] = []
        /// An ask app with asked devices: the opens the bundle allows, which AskedDevice.filter routes here so that
        /// an open of an asked device can be asked about (SecurityMonitor+Devices); any other open runs on.
        var watchedOpens: Set<String> = []
        /// With `watchedOpens`: where an open's path is resolved (set by `spawn`).
        var containerRoot: ContainerRoot? = nil
    }

    /// Forks the monitor; returns its pid. `listener` and `initPid` stay owned by the caller.
    static func spawn(listener: Int32, initPid: pid_t, context: Context) throws(RuntimeError) -> pid_t {
        // Opened here, before the fork: if the init is already gone the pidfd still reports it (readable at once).
        guard let initFD = Pidfd(pid: initPid) else { throw .system(SyscallError("pidfd_open", String(initPid))) }
        let pidfd = initFD.fd
        let pid: pid_t
        do { pid = try Processes.fork("security monitor") } catch {
            initFD.close()
            throw .system(error)
        }
        if pid > 0 {
            initFD.close()
            return pid
        }
        var context = context
        if !context.watchedOpens.isEmpty { context.containerRoot = ContainerRoot() }
        detach(keeping: [listener, pidfd] + (context.promptTerminal >= 0 ? [context.promptTerminal] : []))
        serve(listener: listener, pidfd: pidfd, context: context)
    }

    /// Leaves the caller's session (terminal signals of `run` are for the container, not for us), lets go of every
    /// fd but the two it needs (the state-dir lock, the sync socket, conmon's stdio pipes) and names itself.
    private static func detach(keeping fds: [Int32]) {
        try? Processes.newSession()
        try? Processes.resetSignals()
        if let null = try? Files.open("/dev/null", O_RDWR) {
            for target in Int32(0)...2 { try? Files.duplicate(null, onto: target) }
            if null > 2 { Files.close(null) }
        }
        var next: Int32 = 3
        for keep in fds.sorted() where keep >= next {
            if keep > next { Processes.closeRange(from: next, through: keep - 1) }
            next = keep + 1
        }
        Processes.closeRange(from: next)
        Processes.setName("taurun-monitor")
    }

    private static func serve(listener: Int32, pidfd: Int32, context: Context) -> Never {
        let channel: SeccompNotifyChannel
        do { channel = try SeccompNotifyChannel(fd: listener) } catch {
            // Without buffers no call can be answered: stop the app rather than leave it blocked.
            Pidfd(fd: pidfd).signal(SIGKILL)
            Processes.exitImmediately(1)
        }
        let log = AuditLog(path: context.auditLogPath)
        // One record per distinct call shape, rate-limited, in bounded memory (ViolationRecorder).
        var recorded = ViolationRecorder()
        var learned = LearnedCalls()
        var prompts = Prompts(context: context)
        // Calls trapped while a question was up (SecurityMonitor+Meanwhile), decided after its answer.
        let held = HeldCalls()
        func dispatch(_ call: SeccompNotification) {
            let name = SeccompNotifyChannel.syscallName(call.syscall, arch: call.arch)
            if let learnFile = context.learnFile {
                learn(call, name: name, channel: channel, learnFile: learnFile, context: context, log: log,
                      recorded: &recorded, learned: &learned)
            } else if context.policy.onViolation == .ask && context.watchedOpens.contains(name) {
                askForDevice(call, name: name, channel: channel, context: context, log: log, recorded: &recorded,
                             prompts: &prompts, held: held)
            } else if context.policy.onViolation == .ask {
                ask(call, name: name, channel: channel, pidfd: pidfd, context: context, log: log, recorded: &recorded,
                    prompts: &prompts, held: held)
            } else {
                handle(call, name: name, channel: channel, pidfd: pidfd, context: context, log: log, recorded: &recorded)
            }
        }
        func end(_ status: Int32) -> Never {
            writeSuppressed(recorded.takeSuppressed(), context: context, log: log)
            Processes.exitImmediately(status)
        }
        while true {
            let states: [Readiness.State]
            do {
                guard let ready = try Readiness.wait([listener, pidfd], timeoutMilliseconds: -1) else { continue }  // EINTR
                states = ready
            } catch { Processes.exitImmediately(1) }
            if states[1] != .quiet { end(0) }  // the container's init is gone
            if states[0] == .readable {
                let call: SeccompNotification
                do { call = try channel.receive() } catch { continue }  // ENOENT: the caller died meanwhile
                dispatch(call)
                while let next = held.takeFirst() { dispatch(next) }
            } else if states[0] == .closed {
                end(0)  // POLLHUP: no process is left under the filter
            }
        }
    }

    private static func handle(_ call: SeccompNotification, name: String, channel: SeccompNotifyChannel, pidfd: Int32,
                               context: Context, log: AuditLog, recorded: inout ViolationRecorder) {
        let terminate = context.policy.onViolation == .terminate
        let action = terminate ? "terminated" : "denied"
        let line = ViolationExplainer.violationLine(app: context.policy.appID, action: action, syscall: name, args: call.args)
        if terminate {
            // The line first: `run` reads it as soon as it sees the container die.
            try? Files.writeAtomically(context.violationFile, Array((line + "\n").utf8), mode: 0o600)
            // Pin the caller first: it is blocked in the trapped call, so its pid is still its own. Then the init,
            // which takes the rest of the pid namespace with it: nothing in the container runs on to act on the
            // caller's fate (a shell printing nc's exit status). Then the caller, through its pidfd, in case it
            // outlives the init's teardown; it gets no answer before both are dead.
            var caller = Pidfd(pid: pid_t(bitPattern: call.pid))
            // The pidfd pins whatever has that pid now; only while the notification is pending is that the caller.
            if !channel.isPending(call) {
                caller?.close()
                caller = nil
            }
            Pidfd(fd: pidfd).signal(SIGKILL)
            // The init's exit tears the pid namespace down (SIGKILL to every process in it), so once it is gone
            // nothing in the container runs on; only then the caller, still parked in the trapped call.
            Pidfd(fd: pidfd).awaitExit(timeoutMilliseconds: 1000)
            caller?.signal(SIGKILL)
            caller?.close()
        }
        // The trapped caller waits for an answer; it gets EPERM (and under terminate it is being killed anyway).
        try? channel.fail(call, errno: EPERM)
        let key = "\(name) \(call.args.first ?? 0)"
        guard case .record(let held) = recorded.decide(key: key, now: MonotonicClock.seconds()) else { return }
        writeSuppressed(held, context: context, log: log)
        let event = AuditEvent(
            event: .violation, app: context.policy.appID, container: context.containerID, pid: Int32(bitPattern: call.pid),
            permission: ViolationExplainer.permission(syscall: name, args: call.args), syscall: name,
            args: ViolationExplainer.arguments(syscall: name, args: call.args),
            action: action, message: line)
        try? log.append(event)
    }

    /// One summary record for the violations (or learn records) the rate limit held back.
    static func writeSuppressed(_ count: Int, context: Context, log: AuditLog) {
        guard count > 0 else { return }
        let learning = context.learnFile != nil
        let what = (learning ? "learn record" : "violation") + (count == 1 ? "" : "s")
        let event = AuditEvent(
            event: learning ? .learn : .violation, app: context.policy.appID, container: context.containerID, action: "suppressed",
            message: "\(context.policy.appID): \(count) more \(what) not recorded (rate limit)")
        try? log.append(event)
    }
}
