import ArgumentParser
import TaurunRuntime

#if canImport(Glibc)
import Glibc
#endif

/// taurun's root command: runc's global flags, then one verb. Synchronous on purpose: the create path clones and
/// must stay single-threaded.
@main
struct Taurun: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "taurun",
        abstract: "An OCI container runtime and the Tau OS app sandbox.",
        version: "taurun version \(version)\nspec: \(Runtime.ociVersion)",
        subcommands: [
            SpecCommand.self, CreateCommand.self, StartCommand.self, RunCommand.self, StateCommand.self,
            ListCommand.self, KillCommand.self, DeleteCommand.self, FeaturesCommand.self, PauseCommand.self, ResumeCommand.self,
            PsCommand.self, UpdateCommand.self, EventsCommand.self, ExecCommand.self, CheckpointCommand.self, RestoreCommand.self,
            ConvertCommand.self, ExplainCommand.self, GrantCommand.self, RevokeCommand.self, GrantsCommand.self, AppsCommand.self, ResetCommand.self,
            UninstallCommand.self, LearnCommand.self, AuditCommand.self,
        ])

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

    /// The global options as LifecycleParse splits them off before the verb; they must match the declarations above
    /// (the CLI tests give each one before a lifecycle verb).
    static let optionsTakingValue: Set<String> = ["--root", "--log", "--log-format", "--rootless", "--audit-log"]
    static let flags: Set<String> = ["--debug", "--systemd-cgroup", "--require-lsm"]

    /// The parser validates the root before any verb: the decoded globals are registered here for the verbs that
    /// LifecycleParse parses without the tree (they read them as `parent`), whichever parse path ran.
    mutating func validate() throws {
        CLIMain.parsedRoot = self
    }

    var runtime: Runtime {
        var runtime = Runtime(
            root: stateRoot, systemdCgroup: systemdCgroup, auditLogPath: auditLogPath, requireLSM: requireLSM,
            rootless: rootless == "true" ? true : rootless == "false" ? false : nil)
        runtime.consentStore = GrantStoreConsent()
        return runtime
    }

    static func main() {
        CLIMain.run(Taurun.self)
    }
}

enum LogFormat: String, ExpressibleByArgument {
    case text, json
}
