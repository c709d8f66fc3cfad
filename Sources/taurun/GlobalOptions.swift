import ArgumentParser
import TaurunRuntime

#if canImport(Glibc)
import Glibc
#endif

/// The global options: Taurun's option group in the whole-tree parse, and a command of its own when VerbAloneParse
/// parses them alone before a verb. `_superCommandName` marks it as part of a larger tool, which makes
/// ArgumentParser skip its completion-script check when it is parsed as a root (a third of that parse's work); it
/// changes no help text, which only the whole tree (rooted at Taurun) generates.
struct GlobalOptions: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "taurun", _superCommandName: "taurun")

    @Option(help: "Root directory for container state (default /run/taurun, or $XDG_RUNTIME_DIR/taurun when not root).")
    var root: String?

    @Option(help: "Append error lines to this file.")
    var log: String?

    @Option(name: .customLong("log-format"), help: "Log file format: text or json.")
    var logFormat: LogFormat = .text

    @Flag(help: "Enable debug output in the log.")
    var debug = false

    @Flag(name: .customLong("systemd-cgroup"), help: "Manage cgroups through systemd (cgroupsPath slice:prefix:name).")
    var systemdCgroup = false

    @Option(help: "Rootless mode: true, false or auto (accepted for runc compatibility).")
    var rootless: String?

    @Option(name: .customLong("audit-log"), help: "Security audit log, JSON lines (default /var/log/taurun/audit.jsonl; not root: $XDG_DATA_HOME/taurun/audit.jsonl).")
    var auditLog: String?

    /// Where audit records go and where `taurun audit` reads: --audit-log, else $TAURUN_AUDIT_LOG, else the default:
    /// the system's log for root, the user's own (XDG data dir) for anyone else, root of a user namespace included.
    var auditLogPath: String {
        if let auditLog { return auditLog }
        if let env = Self.environment("TAURUN_AUDIT_LOG") { return env }
        if geteuid() != 0 || Runtime.insideUserNamespace {
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
        if geteuid() != 0 {
            if let xdg { return xdg + "/taurun" }
            return "/run/user/\(geteuid())/taurun"
        }
        if let xdg, Runtime.insideUserNamespace {
            var st = stat()
            if stat(xdg, &st) == 0 && st.st_uid == geteuid() { return xdg + "/taurun" }
        }
        return "/run/taurun"
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name), value.pointee != 0 else { return nil }
        return String(cString: value)
    }

    @Flag(name: .customLong("require-lsm"),
          help: "Refuse to start a process whose AppArmor profile or SELinux label this kernel cannot enforce (E_SANDBOX_UNAVAILABLE).")
    var requireLSM = false

    /// These options as VerbAloneParse splits them off before the verb; they must match the declarations above (the
    /// CLI tests give each one before a verb).
    static let optionsTakingValue = ["--root", "--log", "--log-format", "--rootless", "--audit-log"]
    static let flags = ["--debug", "--systemd-cgroup", "--require-lsm"]

    /// The parser validates these before any verb (as the root of VerbAloneParse, or as Taurun's option group): the
    /// decoded globals are registered here for every verb, whichever parse path ran.
    mutating func validate() throws {
        CLIMain.parsedGlobals = self
    }

    var runtime: Runtime {
        var runtime = Runtime(
            root: stateRoot, systemdCgroup: systemdCgroup, auditLogPath: auditLogPath, requireLSM: requireLSM,
            rootless: rootless == "true" ? true : rootless == "false" ? false : nil)
        runtime.consentStore = GrantStoreConsent()
        return runtime
    }
}

enum LogFormat: String, ExpressibleByArgument {
    case text, json
}
