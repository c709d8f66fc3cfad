/// The decision logic of an app under on_violation = "ask", one instance per security monitor (one run of the app):
/// for each trapped call, allow, deny, or ask; after a question, what its outcome means. Pure, so the unit tests
/// drive it without a kernel (PromptDecisionsTests).
///
/// Only a permission the manifest requested and the bundle does not grant (`askable`, the bundle's
/// `org.tauos.app.permissions.denied`) is ever asked for: a call that needs an unrequested permission, or that no
/// permission allows, fails with EPERM as under "deny". The user's recorded decision (the grant store) comes before a
/// question; an answer holds for the rest of the run, so an app retrying is not asked again.
struct PromptDecisions {
    enum Step: Equatable {
        case allow
        /// The call fails with EPERM and is audited as a violation (denied).
        case deny
        case ask(permission: String)
    }

    /// What an outcome comes to.
    struct Settlement: Equatable {
        /// The answer applied to the call (an outcome without a person's answer applies deny-once, or the configured
        /// default when nobody could be asked).
        var applied: PromptAnswer
        /// Write it to the grant store (an "always" answer).
        var record: Bool
    }

    let askable: Set<String>
    /// Applied when nobody could be asked (PromptSettings.unanswered).
    let unanswered: PromptAnswer
    private(set) var thisRun: [String: Bool] = [:]
    /// Questions that ended because their caller died, per permission: an app killing its own waiting children
    /// could otherwise ask again and again. After `maxCancelled`, a cancelled question settles deny-once.
    private(set) var cancelled: [String: Int] = [:]
    static let maxCancelled = 3

    init(askable: [String], unanswered: PromptAnswer) {
        self.askable = Set(askable)
        self.unanswered = unanswered
    }

    /// `recorded` reads the grant store (nil: undecided); it is asked at most once per permission and run.
    mutating func step(permission: String?, recorded: (String) -> Bool?) -> Step {
        guard let permission, askable.contains(permission) else { return .deny }
        if let decided = thisRun[permission] { return decided ? .allow : .deny }
        if let decided = recorded(permission) {
            thisRun[permission] = decided
            return decided ? .allow : .deny
        }
        return .ask(permission: permission)
    }

    /// Applies the outcome of the question about `permission`. A time-out or an invalid reply is deny-once; a
    /// cancelled question (the caller is gone) decides nothing, so the next call asks again, up to `maxCancelled`.
    mutating func settle(permission: String, outcome: PromptOutcome) -> Settlement {
        let applied: PromptAnswer
        switch outcome {
        case .answered(let answer): applied = answer
        case .timeout, .invalid, .cancelled: applied = .denyOnce
        case .nobody: applied = unanswered
        }
        if outcome == .cancelled {
            cancelled[permission, default: 0] += 1
            if cancelled[permission, default: 0] < Self.maxCancelled { return Settlement(applied: applied, record: false) }
        }
        thisRun[permission] = applied.allows
        return Settlement(applied: applied, record: applied.isRecorded)
    }
}
