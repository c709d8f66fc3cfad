import TaurunOCI
import TaurunAudit

#if canImport(Glibc)
import Glibc
#endif

/// Lifecycle records for the security audit log. A record that cannot be written (read-only /var/log, a full
/// disk) never fails the lifecycle command: the container's fate must not depend on the log. Plain OCI containers
/// are recorded too (without an app id), so an admin sees every container taurun started, not only Tau apps.
extension Runtime {
    func audit(_ kind: AuditEventKind, record: ContainerRecord, action: String? = nil, what: String) {
        guard let auditLogPath = record.auditLog ?? auditLogPath else { return }
        let app = record.annotations?[TauAnnotation.id]
        let subject = app ?? "container \(record.id)"
        let event = AuditEvent(event: kind, app: app, container: record.id, pid: record.pid, action: action,
                               message: "\(subject) \(what)")
        do { try AuditLog(path: auditLogPath).append(event) } catch where error.reason != nil {
            // An unsafe log directory is refused: say so on stderr; the container goes on.
            Warnings.emit(error.description)
        } catch {}
    }
}
