import TauSandbox
import TaurunAudit

/// A convert that the policy refused (E_POLICY_DENIED) or that this host cannot sandbox (E_SANDBOX_UNAVAILABLE) is a
/// security decision too: one `policy-denial` audit record, so an admin sees which app was refused and why. Malformed
/// manifests (E_MANIFEST) and I/O failures are not decisions and are only reported on stderr.
enum PolicyDenialAudit {
    static func record(_ error: SandboxError, manifestPath: String, auditLogPath: String) {
        guard error.code == "E_POLICY_DENIED" || error.code == "E_SANDBOX_UNAVAILABLE" else { return }
        // The app id when the manifest itself is readable (the refusal came later); else the file names the app.
        let app = try? ManifestLoader.load(path: manifestPath).id.rawValue
        let event = AuditEvent(
            event: .policyDenial, app: app, container: nil, action: "refused",
            message: "\(app ?? manifestPath) refused: \(error.line)")
        try? AuditLog(path: auditLogPath).append(event)
    }
}
