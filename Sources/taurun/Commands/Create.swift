import ArgumentParser
import TaurunRuntime

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
        guard preserveFDs >= 0 && preserveFDs < 65536 else {
            throw ValidationError("--preserve-fds must be between 0 and 65535, got \(preserveFDs)")
        }
    }

    var createOptions: CreateOptions {
        var o = CreateOptions()
        o.consoleSocket = consoleSocket
        o.pidFile = pidFile
        o.noPivot = noPivot
        o.noNewKeyring = noNewKeyring
        o.preserveFDs = preserveFDs + ListenFDs.count
        return o
    }
}

/// systemd socket activation: LISTEN_FDS given to taurun are passed on to the container (as runc does).
enum ListenFDs {
    static var count: Int32 {
        guard let raw = getenv("LISTEN_FDS"), let n = Int32(String(cString: raw)), n > 0 else { return 0 }
        return n
    }
}

struct CreateCommand: TaurunVerb, ParsedAlone {
    static let configuration = CommandConfiguration.parsedAlone("create", abstract: "Create a container (it waits for `start`).")
    @OptionGroup var options: ContainerCreationOptions
    @Argument(help: "Container id.") var id: String

    mutating func execute(_ runtime: Runtime) throws {
        _ = try runtime.create(id: id, bundle: options.bundle, options: options.createOptions)
    }
}

#if canImport(Glibc)
import Glibc
#endif
