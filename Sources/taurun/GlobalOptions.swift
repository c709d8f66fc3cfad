import ArgumentParser

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

    @Flag(name: .customLong("require-lsm"),
          help: "Refuse to start a process whose AppArmor profile or SELinux label this kernel cannot enforce (E_SANDBOX_UNAVAILABLE).")
    var requireLSM = false

    /// These options as VerbAloneParse and RuncSpellingParse split them off before the verb; they must match the
    /// declarations above (the CLI tests give each one before a verb).
    static let optionsTakingValue = ["--root", "--log", "--log-format", "--rootless", "--audit-log"]
    static let flags = ["--debug", "--systemd-cgroup", "--require-lsm"]

    /// The parser validates these before any verb (as the root of VerbAloneParse, or as Taurun's option group): the
    /// decoded globals are registered here for every verb, whichever parse path ran.
    mutating func validate() throws {
        CLIMain.parsedGlobals = settings
    }

    /// The values parsed, for the verbs (CLIMain.parsedGlobals).
    var settings: GlobalSettings {
        GlobalSettings(
            root: root, log: log, logFormat: logFormat, debug: debug, systemdCgroup: systemdCgroup, rootless: rootless,
            auditLog: auditLog, requireLSM: requireLSM)
    }
}

enum LogFormat: String, ExpressibleByArgument {
    case text, json
}
