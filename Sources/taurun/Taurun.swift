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
            ConvertCommand.self, ExplainCommand.self, GrantCommand.self, RevokeCommand.self, GrantsCommand.self, AppsCommand.self, ResetCommand.self, AuditCommand.self,
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

    @Option(name: .customLong("audit-log"), help: "Security audit log, JSON lines (default /var/log/taurun/audit.jsonl).")
    var auditLog: String?

    /// Where audit records go and where `taurun audit` reads: --audit-log, else $TAURUN_AUDIT_LOG, else the default.
    var auditLogPath: String {
        if let auditLog { return auditLog }
        if let env = getenv("TAURUN_AUDIT_LOG"), env.pointee != 0 { return String(cString: env) }
        return "/var/log/taurun/audit.jsonl"
    }

    var stateRoot: String {
        if let root { return root }
        if getuid() != 0, let xdg = getenv("XDG_RUNTIME_DIR") { return String(cString: xdg) + "/taurun" }
        return "/run/taurun"
    }

    @Flag(name: .customLong("require-lsm"),
          help: "Refuse to start a process whose AppArmor profile or SELinux label this kernel cannot enforce (E_SANDBOX_UNAVAILABLE).")
    var requireLSM = false

    var runtime: Runtime {
        Runtime(root: stateRoot, systemdCgroup: systemdCgroup, auditLogPath: auditLogPath, requireLSM: requireLSM)
    }

    static func main() {
        CLIMain.run(Taurun.self)
    }
}

enum LogFormat: String, ExpressibleByArgument {
    case text, json
}
