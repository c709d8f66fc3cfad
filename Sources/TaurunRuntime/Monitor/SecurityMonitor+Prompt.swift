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

        /// The grant store, when the one the bundle names may be used.
        func store(_ context: Context) -> (any RuntimeConsentStore)? {
            storeProblem == nil ? context.consent : nil
        }

        /// This run's answer, else the user's recorded decision, else a question, about `permission` (nil: a call
        /// no permission allows, denied).
        mutating func step(_ permission: String?, context: Context) -> PromptDecisions.Step {
            let store = store(context)
            let app = context.policy.appID
            let state = context.policy.stateDirectory ?? ""
            return decisions.step(permission: permission) { store?.decision(app: app, permission: $0, stateDirectory: state) }
        }
    }

    /// A call that needs a permission (a socket() of a family but AF_UNIX): allowed, denied, or held while the user is
    /// asked; the answer is applied to the call (CONTINUE or EPERM) before it is audited.
    static func ask(_ call: SeccompNotification, name: String, channel: SeccompNotifyChannel, pidfd: Int32, context: Context,
                    log: AuditLog, recorded: inout ViolationRecorder, prompts: inout Prompts, held: HeldCalls) {
        let step = prompts.step(ViolationExplainer.permission(syscall: name, args: call.args), context: context)
        guard case .ask(let permission) = step else {
            if step == .allow {
                try? channel.allow(call)
            } else {
                deny(call, name: name, channel: channel, context: context, log: log, recorded: &recorded)
            }
            return
        }
        let question = Question(permission: permission, call: ViolationExplainer.describeCall(syscall: name, args: call.args))
        let asked = pose(question, call: call, name: name, channel: channel, context: context, log: log, prompts: &prompts,
                         held: held)
        // The call first: the app waits for nothing else.
        if asked.settled.applied.allows { try? channel.allow(call) } else { try? channel.fail(call, errno: EPERM) }
        recordAnswer(asked, call: call, name: name, context: context, log: log, prompts: prompts)
    }

    /// What the user is asked about: a permission, and the parked call that needs it as the audit log writes it (with
    /// the device path of an open, for its records).
    struct Question {
        let permission: String
        let call: String
        var path: String? = nil
    }

    /// What came of a question: its outcome and what that settles, who answered through what, and when the call was
    /// parked (the answer's record ends with the time to the answer applied).
    struct Asked {
        let question: Question
        let request: PromptRequest
        let outcome: PromptOutcome
        let settled: PromptDecisions.Settlement
        let who: String
        let via: String
        let parked: Int
    }

    /// Asks `question` while `call` stays parked: on the terminal of `taurun run` when there is one, else through the
    /// prompt agent, else nobody (the default); one `prompt` record when a question is put. The outcome is settled in
    /// this run's decisions; applying it to the call is the caller's. Calls trapped meanwhile are answered or `held`
    /// (SecurityMonitor+Meanwhile).
    static func pose(_ question: Question, call: SeccompNotification, name: String, channel: SeccompNotifyChannel,
                     context: Context, log: AuditLog, prompts: inout Prompts, held: HeldCalls) -> Asked {
        let app = context.policy.appID
        let permission = question.permission
        let parked = PromptClock.microseconds()
        prompts.asked += 1
        let request = PromptRequest(
            id: "\(context.containerID)/\(prompts.asked)", app: app, container: context.containerID, pid: Int32(bitPattern: call.pid),
            permission: permission, call: question.call, timeoutMs: context.prompts?.timeoutMs ?? PromptSettings.defaultTimeoutMs)
        let stillWaiting = { channel.isPending(call) }
        let meanwhile = PromptExchange.Meanwhile(fd: channel.fd) { serveMeanwhile(channel: channel, context: context, held: held) }
        func asking(_ via: String) {
            record(.prompt, call: call, name: name, question: question, action: "asked",
                   message: "\(app) asks for permission \"\(permission)\": \(question.call) (\(via))", context: context, log: log)
        }

        var outcome: PromptOutcome
        var who = ""
        var via = ""
        var unavailable: [String] = []
        if context.promptTerminal >= 0 {
            via = "the terminal of taurun run"
            asking("asked on \(via)")
            outcome = PromptExchange.ask(fd: context.promptTerminal, request: request, stillWaiting: stillWaiting, meanwhile: meanwhile)
            who = "the user at the terminal of taurun run"
        } else {
            outcome = .nobody("no terminal")
            unavailable.append("no terminal")
        }
        if case .nobody = outcome, let settings = context.prompts {
            switch PromptExchange.connectAgent(settings.agentSocket, answering: settings.answeringUIDs) {
            case .success(let agent):
                via = "the prompt agent at \(settings.agentSocket)"
                who = "uid \(agent.uid) (prompt agent)"
                asking("asked through \(via)")
                outcome = PromptExchange.ask(fd: agent.fd, request: request, stillWaiting: stillWaiting, meanwhile: meanwhile)
                Files.close(agent.fd)
            case .failure(let why):
                unavailable.append(why.reason)
                outcome = .nobody(unavailable.joined(separator: "; "))
            }
        }
        let settled = prompts.decisions.settle(permission: permission, outcome: outcome)
        return Asked(question: question, request: request, outcome: outcome, settled: settled, who: who, via: via, parked: parked)
    }

    /// The `prompt-answer` record of a question whose answer was applied, with the time since the call was parked;
    /// an "always" answer is recorded in the grant store first (with its `consent` record). `note` adds what
    /// applying the answer found (a device that could not be handed over).
    static func recordAnswer(_ asked: Asked, call: SeccompNotification, name: String, context: Context, log: AuditLog,
                             prompts: Prompts, note: String? = nil) {
        let latency = PromptClock.microseconds() - asked.parked
        let app = context.policy.appID
        let permission = asked.question.permission
        let applied = asked.settled.applied.rawValue
        var action: String
        var message: String
        switch asked.outcome {
        case .answered(let answer):
            action = answer.rawValue
            message = "\(app) permission \"\(permission)\": \(answer.rawValue), answered by \(asked.who)"
        case .timeout:
            action = "timeout"
            message = "\(app) permission \"\(permission)\": no answer within \(asked.request.timeoutMs) ms from \(asked.via); \(applied)"
        case .invalid(let reason):
            action = "invalid"
            message = "\(app) permission \"\(permission)\": no valid answer from \(asked.via) (\(reason)); \(applied)"
        case .cancelled:
            action = "cancelled"
            message = "\(app) permission \"\(permission)\": the calling process ended before an answer; nothing decided"
        case .nobody(let reason):
            action = "default"
            message = "\(app) permission \"\(permission)\": \(asked.question.call) held, but nobody to ask (\(reason)); \(applied) (the default)"
        }
        if let note { message += "; \(note)" }
        message += " [\(latency / 1000).\(latency % 1000 / 100) ms]"
        if asked.settled.record {
            if let store = prompts.store(context) {
                let by = asked.outcome == .answered(asked.settled.applied) ? asked.who : "the prompt default (TAURUN_PROMPT_DEFAULT)"
                if let failure = store.record(
                    app: app, permission: permission, allowed: asked.settled.applied.allows,
                    stateDirectory: context.policy.stateDirectory ?? "", by: by, auditLogPath: context.auditLogPath)
                {
                    message += "; not recorded: \(failure)"
                }
            } else {
                message += "; not recorded: \(prompts.storeProblem ?? "no grant store")"
            }
        }
        record(.promptAnswer, call: call, name: name, question: asked.question, action: action, message: message,
               context: context, log: log)
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
    private static func record(_ kind: AuditEventKind, call: SeccompNotification, name: String, question: Question,
                               action: String, message: String, context: Context, log: AuditLog) {
        try? log.append(AuditEvent(
            event: kind, app: context.policy.appID, container: context.containerID, pid: Int32(bitPattern: call.pid),
            permission: question.permission, syscall: name, args: ViolationExplainer.arguments(syscall: name, args: call.args),
            path: question.path, action: action, message: message))
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
