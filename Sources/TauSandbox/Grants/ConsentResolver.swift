import TaurunSupport

/// Asks the user about one permission. Returns nil when no answer can be had (EOF on the terminal).
public protocol ConsentPrompter {
    mutating func ask(app: AppID, appName: String, permission: Permission) -> Bool?
}

/// One recorded decision that changed: what it was (nil: never asked), what it is, and how it was decided.
public struct ConsentChange: Equatable, Sendable {
    public var permission: Permission
    public var old: Bool?
    /// nil: back to "ask" (`taurun reset`).
    public var new: Bool?
    /// "--grant", "--yes", "prompt", "grant", "revoke".
    public var via: String

    public init(permission: Permission, old: Bool?, new: Bool?, via: String) {
        self.permission = permission
        self.old = old
        self.new = new
        self.via = via
    }

    /// Every permission whose decision differs between two records, decided `via`.
    public static func between(_ before: GrantRecord, _ after: GrantRecord, via: String) -> [ConsentChange] {
        Permission.allCases.compactMap { permission in
            let old = before.decision(for: permission), new = after.decision(for: permission)
            guard old != new else { return nil }
            return ConsentChange(permission: permission, old: old, new: new, via: via)
        }
    }
}

/// Decides which requested permissions a bundle gets.
///
/// For each requested permission: `--grant P` → granted (and recorded; the explicit way to change a refusal); a
/// recorded decision → that decision, whether or not the permission needs consent (a `revoke` sticks); not
/// sensitive → granted; `--yes` → granted and recorded (it fills in only what has no decision yet); otherwise ask on
/// the terminal (answer recorded) or, without one, fail with E_POLICY_DENIED naming every undecided permission and
/// the command that grants them. Under on_violation = "ask", a permission the monitor can ask for at runtime
/// (`askableAtRuntime`) with no decision yet stays undecided and is not granted: the app is asked when it first needs
/// it. A refused filesystem:rw falls back to read-only when read-only is granted, or needs
/// no consent and was not refused.
public struct ConsentResolver {
    public struct Outcome: Equatable, Sendable {
        public var effective: EffectivePermissions
        /// The record to save (unchanged when nothing new was decided).
        public var record: GrantRecord
        public var changed: Bool
        /// What this resolution decided anew, for the audit log (one record each).
        public var changes: [ConsentChange] = []
    }

    public static func resolve<Prompter: ConsentPrompter>(
        manifest: Manifest, record: GrantRecord, grantFlags: Set<Permission>, yes: Bool, prompter: inout Prompter?
    ) throws(SandboxError) -> Outcome {
        let before = record
        var record = record
        var granted: Set<Permission> = []
        var denied: Set<Permission> = []
        var undecided: [Permission] = []
        var askedAtRuntime: Set<Permission> = []
        var changes: [ConsentChange] = []
        for permission in manifest.permissions.requested {
            // The record as decided so far: granting filesystem:rw answers a filesystem:ro request too.
            let recorded = record.decision(for: permission)
            switch try decide(permission, recorded: recorded, manifest: manifest, grantFlags: grantFlags, yes: yes, prompter: &prompter) {
            case .free:
                granted.insert(permission)
            case .atRuntime:
                denied.insert(permission)
                askedAtRuntime.insert(permission)
            case .undecided:
                undecided.append(permission)
            case .answered(let answer, let via):
                if answer != recorded { changes.append(ConsentChange(permission: permission, old: recorded, new: answer, via: via)) }
                if answer {
                    granted.insert(permission)
                    record.grant(permission)
                } else {
                    denied.insert(permission)
                    record.deny(permission)
                }
            }
        }
        if !undecided.isEmpty {
            throw .grantsMissing(app: manifest.id.rawValue, permissions: undecided)
        }
        // What grant may change from now on, and which version of the app asked (`taurun apps`).
        record.requested = Set(manifest.permissions.requested)
        record.version = manifest.version
        if denied.contains(.filesystemReadWrite) && readOnlyStands(manifest: manifest, record: record, grantFlags: grantFlags) {
            granted.insert(.filesystemReadOnly)
        }
        return Outcome(
            effective: EffectivePermissions(granted: granted, denied: denied, askedAtRuntime: askedAtRuntime), record: record, changed: record != before,
            changes: changes)
    }

    /// How one requested permission is decided.
    private enum Decision {
        /// Granted and not recorded: it needs no consent and nobody decided otherwise.
        case free
        /// Left undecided, so not granted: the security monitor asks when the app first needs it.
        case atRuntime
        /// No decision and nobody to ask.
        case undecided
        /// `via` says how, for the audit record ("" for a recorded decision).
        case answered(Bool, via: String)
    }

    private static func decide<Prompter: ConsentPrompter>(
        _ permission: Permission, recorded: Bool?, manifest: Manifest, grantFlags: Set<Permission>, yes: Bool, prompter: inout Prompter?
    ) throws(SandboxError) -> Decision {
        let explicit = grantFlags.contains(permission)
            || (permission == .filesystemReadOnly && grantFlags.contains(.filesystemReadWrite))
        if !explicit && recorded == nil && !permission.needsConsent(manifestNamesPaths: !manifest.permissions.filesystemPaths.isEmpty) {
            return .free
        }
        if explicit { return .answered(true, via: "--grant") }
        if let recorded { return .answered(recorded, via: "") }
        if yes { return .answered(true, via: "--yes") }
        if manifest.onViolation == .ask && permission.askableAtRuntime { return .atRuntime }
        guard prompter != nil else { return .undecided }
        guard let answer = prompter?.ask(app: manifest.id, appName: manifest.name, permission: permission) else {
            throw .policyDenied(reason: "no answer for \(permission.rawValue) of \(manifest.id) (end of input); nothing was written")
        }
        return .answered(answer, via: "prompt")
    }

    /// Whether a refused filesystem:rw leaves read-only: when that is granted, or free and not refused.
    private static func readOnlyStands(manifest: Manifest, record: GrantRecord, grantFlags: Set<Permission>) -> Bool {
        let readOnlyFree = !Permission.filesystemReadOnly.needsConsent(manifestNamesPaths: !manifest.permissions.filesystemPaths.isEmpty)
        let readOnlyDecision = record.decision(for: .filesystemReadOnly)
        return (readOnlyFree && readOnlyDecision != false) || readOnlyDecision == true || grantFlags.contains(.filesystemReadOnly)
    }
}

/// Asks on the controlling terminal: the question on stderr, a y/N line from stdin. Only used when both are ttys.
public struct TerminalPrompter: ConsentPrompter {
    public init?() {
        guard TerminalQuestion.canAsk else { return nil }
    }

    public mutating func ask(app: AppID, appName: String, permission: Permission) -> Bool? {
        answer("Allow \(appName) (\(app)) to \(permission.summary)? [\(permission.rawValue)] [y/N] ")
    }

    /// `question` on stderr, then a y/N line from stdin (also `taurun uninstall`'s confirmation). nil: end of input.
    public func answer(_ question: String) -> Bool? {
        // 64 bytes are plenty for "yes"; anything longer is not one.
        TerminalQuestion.ask(question, keeping: 64).map(decide)
    }

    private func decide(_ line: [UInt8]) -> Bool {
        let answer = String(decoding: line, as: UTF8.self).lowercased()
        return answer == "y" || answer == "yes"
    }
}
