import TaurunAudit
import TaurunLinux
import TaurunSeccomp

#if canImport(Glibc)
import Glibc
#endif

/// on_violation = "ask" (docs/prompts.md): the trapped call stays parked in the kernel while the user is asked. The
/// question goes to the terminal of `taurun run` when it has one (over the channel `run` handed the monitor, never
/// through the container's stdin), else to the prompt agent's socket (only root or the user may listen there), else
/// the configured default applies. The answer is applied to the call first (CONTINUE or EPERM), then audited: one
/// `prompt` record per question and one `prompt-answer` record per outcome; an "always" answer is also recorded in
/// the grant store, with its `consent` record.
extension SecurityMonitor {
    /// The monitor's state for prompts: decisions of this run, and the number of questions asked (their ids).
    struct Prompts {
        var decisions: PromptDecisions
        var asked = 0
        /// Why the grant store named in the bundle is not used (checked once), nil when it is.
        let storeProblem: String?

        init(context: Context) {
            decisions = PromptDecisions(
                askable: context.policy.notGranted, unanswered: context.prompts?.unanswered ?? .denyOnce)
            if context.consent == nil {
                storeProblem = "no grant store"
            } else if let state = context.policy.stateDirectory {
                storeProblem = GrantDirectory.problem(state)
            } else {
                storeProblem = "the bundle names no state directory"
            }
        }
    }

    static func ask(_ call: SeccompNotification, name: String, channel: SeccompNotifyChannel, pidfd: Int32, context: Context,
                    log: AuditLog, recorded: inout ViolationRecorder, prompts: inout Prompts) {
        let app = context.policy.appID
        let permission = ViolationExplainer.permission(syscall: name, args: call.args)
        let store = prompts.storeProblem == nil ? context.consent : nil
        let state = context.policy.stateDirectory ?? ""
        let step = prompts.decisions.step(permission: permission) { store?.decision(app: app, permission: $0, stateDirectory: state) }
        guard case .ask(let permission) = step else {
            if step == .allow {
                try? channel.allow(call)
            } else {
                deny(call, name: name, channel: channel, context: context, log: log, recorded: &recorded)
            }
            return
        }
        let parked = PromptClock.microseconds()
        prompts.asked += 1
        let describedCall = ViolationExplainer.describeCall(syscall: name, args: call.args)
        let request = PromptRequest(
            id: "\(context.containerID)/\(prompts.asked)", app: app, container: context.containerID, pid: Int32(bitPattern: call.pid),
            permission: permission, call: describedCall, timeoutMs: context.prompts?.timeoutMs ?? 30_000)
        let stillWaiting = { channel.isPending(call) }

        // Where the question goes: the terminal of `taurun run`, else the agent, else nobody.
        var outcome: PromptOutcome
        var who: String
        var via: String
        var unavailable: [String] = []
        if context.promptTerminal >= 0 {
            via = "the terminal of taurun run"
            record(.prompt, call: call, name: name, permission: permission, action: "asked",
                   message: "\(app) asks for permission \"\(permission)\": \(describedCall) (asked on \(via))", context: context, log: log)
            outcome = PromptExchange.ask(fd: context.promptTerminal, request: request, stillWaiting: stillWaiting)
            who = "the user at the terminal of taurun run"
        } else {
            outcome = .nobody("no terminal")
            who = ""
            via = ""
            unavailable.append("no terminal")
        }
        if case .nobody = outcome, let settings = context.prompts {
            switch PromptExchange.connectAgent(settings.agentSocket, answering: settings.answeringUIDs) {
            case .success(let agent):
                via = "the prompt agent at \(settings.agentSocket)"
                who = "uid \(agent.uid) (prompt agent)"
                record(.prompt, call: call, name: name, permission: permission, action: "asked",
                       message: "\(app) asks for permission \"\(permission)\": \(describedCall) (asked through \(via))",
                       context: context, log: log)
                outcome = PromptExchange.ask(fd: agent.fd, request: request, stillWaiting: stillWaiting)
                close(agent.fd)
            case .failure(let why):
                unavailable.append(why.reason)
                outcome = .nobody(unavailable.joined(separator: "; "))
            }
        }

        // The call first: the app waits for nothing else.
        let settled = prompts.decisions.settle(permission: permission, outcome: outcome)
        if settled.applied.allows { try? channel.allow(call) } else { try? channel.fail(call, errno: EPERM) }
        let latency = PromptClock.microseconds() - parked

        let applied = settled.applied.rawValue
        var action: String
        var message: String
        switch outcome {
        case .answered(let answer):
            action = answer.rawValue
            message = "\(app) permission \"\(permission)\": \(answer.rawValue), answered by \(who)"
        case .timeout:
            action = "timeout"
            message = "\(app) permission \"\(permission)\": no answer within \(request.timeoutMs) ms from \(via); \(applied)"
        case .invalid(let reason):
            action = "invalid"
            message = "\(app) permission \"\(permission)\": no valid answer from \(via) (\(reason)); \(applied)"
        case .cancelled:
            action = "cancelled"
            message = "\(app) permission \"\(permission)\": the calling process ended before an answer; nothing decided"
        case .nobody(let reason):
            action = "default"
            message = "\(app) permission \"\(permission)\": \(describedCall) held, but nobody to ask (\(reason)); \(applied) (the default)"
        }
        message += " [\(latency / 1000).\(latency % 1000 / 100) ms]"
        if settled.record {
            if let store {
                let by = outcome == .answered(settled.applied) ? who : "the prompt default (TAURUN_PROMPT_DEFAULT)"
                if let failure = store.record(
                    app: app, permission: permission, allowed: settled.applied.allows, stateDirectory: state, by: by,
                    auditLogPath: context.auditLogPath)
                {
                    message += "; not recorded: \(failure)"
                }
            } else {
                message += "; not recorded: \(prompts.storeProblem ?? "no grant store")"
            }
        }
        record(.promptAnswer, call: call, name: name, permission: permission, action: action, message: message, context: context, log: log)
    }

    /// A call the app may not make and is not asked about: EPERM, audited as a denied violation (rate-limited).
    private static func deny(_ call: SeccompNotification, name: String, channel: SeccompNotifyChannel, context: Context,
                             log: AuditLog, recorded: inout ViolationRecorder) {
        try? channel.fail(call, errno: EPERM)
        let key = "\(name) \(call.args.first ?? 0)"
        guard case .record(let held) = recorded.decide(key: key, now: MonotonicClock.seconds()) else { return }
        writeSuppressed(held, context: context, log: log)
        try? log.append(AuditEvent(
            event: .violation, app: context.policy.appID, container: context.containerID, pid: Int32(bitPattern: call.pid),
            permission: ViolationExplainer.permission(syscall: name, args: call.args), syscall: name,
            args: ViolationExplainer.arguments(syscall: name, args: call.args), action: "denied",
            message: ViolationExplainer.violationLine(app: context.policy.appID, action: "denied", syscall: name, args: call.args)))
    }

    /// One prompt record. Not rate-limited: the monitor asks at most once per permission and run, unless questions
    /// are cancelled (each needs a caller that died waiting).
    private static func record(_ kind: AuditEventKind, call: SeccompNotification, name: String, permission: String,
                               action: String, message: String, context: Context, log: AuditLog) {
        try? log.append(AuditEvent(
            event: kind, app: context.policy.appID, container: context.containerID, pid: Int32(bitPattern: call.pid),
            permission: permission, syscall: name, args: ViolationExplainer.arguments(syscall: name, args: call.args),
            action: action, message: message))
    }
}

extension Runtime {
    /// What the monitor of an on_violation = "ask" app needs besides its policy: the prompt settings from the
    /// environment, the grant store, and the terminal channel of `run` (when it has one; learning asks nobody).
    func preparePrompts(_ context: inout SecurityMonitor.Context, channel: Int32) throws(RuntimeError) {
        guard context.policy.onViolation == .ask, context.learnFile == nil else { return }
        context.prompts = try PromptSettings.current()
        context.consent = consentStore
        context.promptTerminal = channel
    }
}
