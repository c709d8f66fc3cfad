import TaurunAudit
import TaurunLinux
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

/// The user's recorded decisions, as the security monitor of an on_violation = "ask" app needs them: read one, and
/// record an "always" answer (with its `consent` audit record). The CLI supplies TauSandbox's grant store
/// (TaurunRuntime does not import TauSandbox: module arrows); the monitor, a fork of the CLI process, calls it.
public protocol RuntimeConsentStore: Sendable {
    /// The recorded decision about `permission` (true granted, false refused), nil when there is none.
    func decision(app: String, permission: String, stateDirectory: String) -> Bool?
    /// Records an "always" answer given `by` someone; the `consent` audit record goes to `auditLogPath`. Returns why
    /// it could not be recorded, nil on success.
    func record(app: String, permission: String, allowed: Bool, stateDirectory: String, by: String, auditLogPath: String) -> String?
}

/// The state directory a bundle names for its grants, checked before the monitor reads or writes there.
enum GrantDirectory {
    /// Why the state directory named in the bundle is not one the monitor may read decisions from or write them to
    /// (the bundle is data: a hostile one could name any directory), nil when it is fine: it and its `grants/` must be
    /// real directories owned by the monitor's user or root and writable by nobody else (PrivateDirectory).
    static func problem(_ stateDirectory: String) -> String? {
        for path in [stateDirectory, stateDirectory + "/grants"] {
            let info: stat
            do { info = try FileIO<SyscallError>.status(path) } catch { return "\(path): \(errnoText(error.errno.rawValue))" }
            if let problem = PrivateDirectory.problem(mode: info.st_mode, owner: info.st_uid, euid: ProcessIdentity.effectiveUID) {
                return "\(path) \(problem)"
            }
        }
        return nil
    }
}
