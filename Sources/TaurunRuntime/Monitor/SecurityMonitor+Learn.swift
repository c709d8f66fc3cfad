import TaurunAudit
import TaurunLinux
import TaurunSeccomp

#if canImport(Glibc)
import Glibc
#endif

extension SecurityMonitor {
    /// The calls a learning run has written to its learn file, by their description ("socket(AF_INET,
    /// SOCK_STREAM)"): each once, and at most `limit` of them, so an app cannot grow the monitor's memory or the file.
    struct LearnedCalls {
        static let limit = 512
        private var seen: Set<String> = []

        /// True the first time `call` is seen, while fewer than `limit` are kept.
        mutating func isNew(_ call: String) -> Bool {
            guard seen.count < Self.limit, !seen.contains(call) else { return false }
            seen.insert(call)
            return true
        }
    }

    /// Learn mode (`taurun learn`): answer first (LearnMode: EPERM, or CONTINUE for a granted use learn watches), so
    /// the app waits no longer than it must; then one record of each distinct call in the learn file, which `taurun
    /// learn` reads once the app is gone, and the same record, rate-limited like violations, in the audit log.
    /// Nothing is killed: the app runs on as it would under on_violation = "deny".
    static func learn(_ call: SeccompNotification, name: String, channel: SeccompNotifyChannel, learnFile: String,
                      context: Context, log: AuditLog, recorded: inout ViolationRecorder, learned: inout LearnedCalls) {
        if context.learnWatched.contains(name) {
            learnPath(call, name: name, channel: channel, learnFile: learnFile, context: context, log: log,
                      recorded: &recorded, learned: &learned)
            return
        }
        let answer = LearnMode.answer(syscall: name, args: call.args, granted: context.policy.granted)
        switch answer {
        case .allow: try? channel.allow(call)
        case .deny: try? channel.fail(call, errno: EPERM)
        }
        let event = AuditEvent(
            event: .learn, app: context.policy.appID, container: context.containerID, pid: Int32(bitPattern: call.pid),
            permission: ViolationExplainer.permission(syscall: name, args: call.args), syscall: name,
            args: ViolationExplainer.arguments(syscall: name, args: call.args),
            action: answer == .allow ? "allowed" : "denied",
            message: LearnMode.line(app: context.policy.appID, answer: answer, syscall: name, args: call.args))
        if learned.isNew(ViolationExplainer.describeCall(syscall: name, args: call.args)) {
            append(event, to: learnFile)
        }
        audit(event, key: "\(name) \(call.args.first ?? 0)", context: context, log: log, recorded: &recorded)
    }

    /// An open or connect the bundle allows (LearnMode.pathCalls): its path is read while the call is parked, the
    /// call runs (CONTINUE) whatever it names, and a path that shows a permission (a device, a sound or display
    /// socket, a host file) is recorded as that permission's use, granted or not. The rest (the app's own files)
    /// leaves no record.
    static func learnPath(_ call: SeccompNotification, name: String, channel: SeccompNotifyChannel, learnFile: String,
                          context: Context, log: AuditLog, recorded: inout ViolationRecorder, learned: inout LearnedCalls) {
        let access = PathAccess.read(call, name: name, grantedPaths: context.grantedPaths)
        // What was read is the parked call's only if the call is still parked: a dead caller's pid may be reused.
        let current = channel.isPending(call)
        try? channel.allow(call)
        guard current, let access, var permission = access.permission else { return }
        // A read under a read-write grant is a use of that grant.
        if permission == "filesystem:ro" && context.policy.granted.contains("filesystem:rw") { permission = "filesystem:rw" }
        let granted = context.policy.granted.contains(permission)
        let described = access.call
        let line = LearnMode.useLine(app: context.policy.appID, call: described, permission: permission, granted: granted)
        let event = AuditEvent(
            event: .learn, app: context.policy.appID, container: context.containerID, pid: Int32(bitPattern: call.pid),
            permission: permission, syscall: name, args: ViolationExplainer.arguments(syscall: name, args: call.args),
            path: access.path, action: granted ? "allowed" : "denied", message: line)
        if learned.isNew(described) { append(event, to: learnFile) }
        audit(event, key: "\(name) \(access.path)", context: context, log: log, recorded: &recorded)
    }

    /// The learn record in the audit log, rate-limited like violations (by `key`).
    private static func audit(_ event: AuditEvent, key: String, context: Context, log: AuditLog, recorded: inout ViolationRecorder) {
        guard case .record(let held) = recorded.decide(key: key, now: MonotonicClock.seconds()) else { return }
        writeSuppressed(held, context: context, log: log)
        try? log.append(event)
    }

    /// One JSON line, in one write(2) on an O_APPEND descriptor (the file is in the container's private state
    /// directory; O_NOFOLLOW: never through a link planted there).
    private static func append(_ event: AuditEvent, to path: String) {
        guard let fd = try? Files.open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, mode: 0o600) else { return }
        defer { Files.close(fd) }
        _ = try? Files.writeOnce(fd: fd, Array(event.jsonLine().utf8), path: path)
    }
}
