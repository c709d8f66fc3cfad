import TauSandbox
import TaurunAudit
import TaurunRuntime
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

/// Every change of a recorded consent decision is a security event: one `consent` record per permission, naming who
/// changed it, how, and from what to what ("org.tauos.media camera: ask -> granted by root (--yes)").
enum ConsentAudit {
    /// `by`: who decided, when not the user running this command (a runtime prompt's answer).
    static func record(_ changes: [ConsentChange], app: AppID, auditLogPath: String, by: String? = nil) {
        guard !changes.isEmpty else { return }
        let who = by ?? caller()
        let log = AuditLog(path: auditLogPath)
        for change in changes {
            let new = state(change.new)
            let event = AuditEvent(
                event: .consent, app: app.rawValue, container: nil, permission: change.permission.rawValue, action: new,
                message: "\(app) \(change.permission.rawValue): \(state(change.old)) -> \(new) by \(who) (\(change.via))")
            try? log.append(event)
        }
    }

    private static func state(_ decision: Bool?) -> String {
        decision.map { $0 ? "granted" : "denied" } ?? "ask"
    }

    /// The user behind the command: the sudo caller where there is one, else the caller (runc's `owner`).
    static func caller() -> String {
        if ProcessIdentity.realUID == 0, let sudo = getenv("SUDO_USER").map({ String(cString: $0) }), !sudo.isEmpty {
            return sudo + " (via sudo)"
        }
        return Owner.name()
    }
}
