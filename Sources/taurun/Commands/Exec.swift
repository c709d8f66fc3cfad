import ArgumentParser
import TaurunRuntime

/// `exec` with runc's flags. conmon and the containerd shim call `exec --process FILE --detach --pid-file P
/// [--tty --console-socket S] [--preserve-fds N] ID`; people call `exec [-t] [-u UID] ID COMMAND...`.
struct ExecCommand: TaurunVerb {
    static let configuration = CommandConfiguration(
        commandName: "exec", abstract: "Run another process in a created or running container.")
    @ParentCommand var parent: Taurun

    @Option(name: [.short, .customLong("process")], help: "process.json to run (the override flags are then ignored).")
    var process: String?

    @Flag(name: [.short, .long], help: "Return as soon as the process runs.")
    var detach = false

    @Flag(name: [.short, .long], help: "Allocate a pty (needs --console-socket).")
    var tty = false

    @Option(name: .customLong("console-socket"), help: "Unix socket that receives the pty master.")
    var consoleSocket: String?

    @Option(name: .customLong("pid-file"), help: "Write the process's pid to this file.")
    var pidFile: String?

    @Option(name: .customLong("preserve-fds"), help: "Pass this many extra fds (3, 4, ...) to the process.")
    var preserveFDs: Int32 = 0

    @Option(help: "Working directory inside the container.")
    var cwd: String?

    @Option(name: [.short, .long], help: "Add an environment variable KEY=VALUE (repeatable).")
    var env: [String] = []

    @Option(name: [.short, .long], help: "UID[:GID] to run as.")
    var user: String?

    @Option(name: [.short, .customLong("additional-gids")], help: "Add a supplementary group (repeatable).")
    var additionalGids: [UInt32] = []

    @Option(name: [.short, .customLong("cap")], help: "Add a capability to every set (repeatable).")
    var cap: [String] = []

    @Flag(name: .customLong("no-new-privs"), help: "Set no_new_privileges for the process.")
    var noNewPrivs = false

    @Option(help: "AppArmor profile for the process.")
    var apparmor: String?

    @Option(name: .customLong("process-label"), help: "SELinux label for the process (ignored where SELinux is off).")
    var processLabel: String?

    @Argument(help: "Container id.")
    var id: String

    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments (without --process).")
    var command: [String] = []

    func validate() throws {
        guard preserveFDs >= 0 && preserveFDs < 65536 else {
            throw ValidationError("--preserve-fds must be between 0 and 65535, got \(preserveFDs)")
        }
        if process == nil && command.isEmpty {
            throw ValidationError("exec needs a command after the container id, or --process FILE")
        }
    }

    mutating func execute(_ runtime: Runtime) throws {
        var options = ExecOptions()
        options.processFile = process
        options.args = command.first == "--" ? Array(command.dropFirst()) : command
        options.detach = detach
        options.tty = tty
        options.consoleSocket = consoleSocket
        options.pidFile = pidFile
        options.preserveFDs = preserveFDs
        options.cwd = cwd
        options.env = env
        options.user = user
        options.additionalGids = additionalGids
        options.capabilities = cap
        options.noNewPrivileges = noNewPrivs
        options.apparmorProfile = apparmor
        options.processLabel = processLabel
        let code = try runtime.exec(id: id, options: options)
        if code != 0 { throw ExitCode(code) }
    }
}
