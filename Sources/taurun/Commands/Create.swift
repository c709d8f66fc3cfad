import ArgumentParser

/// Options shared by `create` and `run`, spelled as runc spells them.
struct ContainerCreationOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "Path to the bundle directory (default: current directory).")
    var bundle: String = "."

    @Option(name: .customLong("pid-file"), help: "Write the container process's pid to this file.")
    var pidFile: String?

    @Option(name: .customLong("console-socket"), help: "Unix socket that receives the pty master (terminal: true).")
    var consoleSocket: String?

    @Flag(name: .customLong("no-pivot"), help: "Move the rootfs over / and chroot instead of pivot_root.")
    var noPivot = false

    @Flag(name: .customLong("no-new-keyring"), help: "Keep the caller's session keyring.")
    var noNewKeyring = false

    @Option(name: .customLong("preserve-fds"), help: "Pass this many extra fds (3, 4, ...) to the container.")
    var preserveFDs: Int32 = 0

    func validate() throws {
        guard CreationArguments.preserveFDsRange.contains(preserveFDs) else {
            throw ValidationError("--preserve-fds must be between 0 and 65535, got \(preserveFDs)")
        }
    }

    var arguments: CreationArguments {
        CreationArguments(
            bundle: bundle, pidFile: pidFile, consoleSocket: consoleSocket, noPivot: noPivot, noNewKeyring: noNewKeyring,
            preserveFDs: preserveFDs)
    }
}

struct CreateCommand: LifecycleCommand, ParsedAlone {
    static let configuration = CommandConfiguration.parsedAlone("create", abstract: "Create a container (it waits for `start`).")
    @OptionGroup var options: ContainerCreationOptions
    @Argument(help: "Container id.") var id: String

    var request: LifecycleRequest { .create(id: id, creation: options.arguments) }
}
