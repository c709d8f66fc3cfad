import TauProvisioning
import TauSandbox
import TaurunRuntime

/// The grant store (TauSandbox) as the security monitor of an on_violation = "ask" app uses it: it reads the user's
/// recorded decision before asking, and records an "always" answer like `taurun grant` / `taurun revoke` do, with a
/// `consent` audit record ("org.tauos.x network: ask -> granted by uid 1000 (prompt agent) (runtime prompt)").
struct GrantStoreConsent: RuntimeConsentStore {
    func decision(app: String, permission: String, stateDirectory: String) -> Bool? {
        guard let id = AppID(app), let permission = Permission(rawValue: permission) else { return nil }
        return (try? GrantStore(stateDirectory: stateDirectory).record(for: id))?.decision(for: permission)
    }

    func record(app: String, permission: String, allowed: Bool, stateDirectory: String, by: String, auditLogPath: String) -> String? {
        guard let id = AppID(app), let permission = Permission(rawValue: permission) else {
            return "unknown app or permission \(app) \(permission)"
        }
        var old: Bool?
        do {
            _ = try GrantStore(stateDirectory: stateDirectory).update(id) { record in
                old = record.decision(for: permission)
                if allowed { record.grant(permission) } else { record.deny(permission) }
            }
        } catch {
            return error.line
        }
        guard old != allowed else { return nil }
        ConsentAudit.record(
            [ConsentChange(permission: permission, old: old, new: allowed, via: "runtime prompt")], app: id, auditLogPath: auditLogPath,
            by: by)
        return nil
    }
}
