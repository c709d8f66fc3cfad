import TaurunLinux
import TaurunRuntime
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

/// The global options' values, whichever parser read them (GlobalOptions through ArgumentParser, or
/// RuncSpellingParse), and what the verbs derive from them: the state root, the audit log, the Runtime.
struct GlobalSettings: Equatable {
    var root: String?
    var log: String?
    var logFormat: LogFormat = .text
    var debug = false
    var systemdCgroup = false
    var rootless: String?
    var auditLog: String?
    var requireLSM = false

    /// Where audit records go and where `taurun audit` reads: --audit-log, else $TAURUN_AUDIT_LOG, else the default:
    /// the system's log for root, the user's own (XDG data dir) for anyone else, root of a user namespace included.
    var auditLogPath: String {
        if let auditLog { return auditLog }
        if let env = Self.environment("TAURUN_AUDIT_LOG") { return env }
        if ProcessIdentity.effectiveUID != 0 || Runtime.insideUserNamespace {
            if let data = Self.environment("XDG_DATA_HOME"), data.hasPrefix("/") { return data + "/taurun/audit.jsonl" }
            if let home = Self.environment("HOME"), home.hasPrefix("/") { return home + "/.local/share/taurun/audit.jsonl" }
        }
        return "/var/log/taurun/audit.jsonl"
    }

    /// --root, else runc's rule: /run/taurun for root; for anyone else $XDG_RUNTIME_DIR/taurun (the user's runtime
    /// directory, /run/user/<uid> under systemd-logind), else /run/user/<uid>/taurun. Root of a user namespace
    /// whose XDG_RUNTIME_DIR it owns (rootless Podman's runtime) is a user too.
    var stateRoot: String {
        if let root { return root }
        let xdg = Self.environment("XDG_RUNTIME_DIR").flatMap { $0.hasPrefix("/") ? $0 : nil }
        let uid = ProcessIdentity.effectiveUID
        if uid != 0 {
            if let xdg { return xdg + "/taurun" }
            return "/run/user/\(uid)/taurun"
        }
        if let xdg, Runtime.insideUserNamespace, (try? Files.stat(path: xdg))?.st_uid == uid { return xdg + "/taurun" }
        return "/run/taurun"
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name), value.pointee != 0 else { return nil }
        return String(cString: value)
    }

    var runtime: Runtime {
        var runtime = Runtime(
            root: stateRoot, systemdCgroup: systemdCgroup, auditLogPath: auditLogPath, requireLSM: requireLSM,
            rootless: rootless == "true" ? true : rootless == "false" ? false : nil)
        runtime.consentStore = GrantStoreConsent()
        return runtime
    }
}
