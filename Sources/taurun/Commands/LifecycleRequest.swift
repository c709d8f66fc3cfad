import ArgumentParser
import TaurunLinux
import TaurunOCI
import TaurunRuntime

#if canImport(Glibc)
import Glibc
#endif

/// What a container engine asks of every container (create, start, run, state, kill, delete), as plain values: the
/// verbs' ArgumentParser commands and RuncSpellingParse both produce one, and both run it here, so the two parse
/// paths print the same output and the same errors.
enum LifecycleRequest: Equatable {
    case create(id: String, creation: CreationArguments)
    case start(id: String)
    case run(id: String, creation: CreationArguments, detach: Bool, keep: Bool)
    case state(id: String)
    case kill(id: String, signal: String, all: Bool)
    case delete(id: String, force: Bool)

    func execute(_ runtime: Runtime) throws {
        switch self {
        case .create(let id, let creation):
            _ = try runtime.create(id: id, bundle: creation.bundle, options: creation.createOptions)
        case .start(let id):
            try runtime.start(id: id)
        case .run(let id, let creation, let detach, let keep):
            try Self.run(runtime, id: id, creation: creation, detach: detach, keep: keep)
        case .state(let id):
            let state = try runtime.state(id: id)
            print(String(decoding: state.encodedJSON(), as: UTF8.self))
        case .kill(let id, let signal, let all):
            guard let number = SignalName.parse(signal) else { throw ValidationError("invalid signal \"\(signal)\"") }
            try runtime.kill(id: id, signal: number, all: all)
        case .delete(let id, let force):
            try runtime.delete(id: id, force: force)
        }
    }

    private static func run(_ runtime: Runtime, id: String, creation: CreationArguments, detach: Bool, keep: Bool) throws {
        var createOptions = creation.createOptions
        createOptions.foregroundTerminal = !detach
        // In the foreground on a terminal, an on_violation = "ask" app's questions come here (PromptTerminal).
        let prompts = detach ? nil : PromptTerminal.open()
        createOptions.promptChannel = prompts?.monitorEnd ?? -1
        let container: CreatedContainer
        do {
            container = try runtime.create(id: id, bundle: creation.bundle, options: createOptions)
        } catch {
            if let prompts { Files.close(prompts.channel); Files.close(prompts.monitorEnd) }
            throw error
        }
        if let prompts { Files.close(prompts.monitorEnd) }
        let asking = container.asksOnTerminal ? prompts : nil
        if let prompts, asking == nil { Files.close(prompts.channel) }
        do {
            try runtime.start(id: id)
        } catch {
            try? runtime.delete(id: id, force: true)
            throw error
        }
        if detach { return }
        let code = runtime.waitForeground(container, prompts: asking)
        if !keep { try? runtime.delete(id: id, force: true) }
        if code != 0 { throw ExitCode(code) }
    }
}

/// The options shared by `create` and `run` (ContainerCreationOptions's values).
struct CreationArguments: Equatable {
    var bundle = "."
    var pidFile: String?
    var consoleSocket: String?
    var noPivot = false
    var noNewKeyring = false
    var preserveFDs: Int32 = 0

    /// The bound ContainerCreationOptions.validate checks (and RuncSpellingParse leaves to it).
    static let preserveFDsRange: ClosedRange<Int32> = 0...65535

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

/// A verb whose parsed arguments are a LifecycleRequest, run as one.
protocol LifecycleCommand: TaurunVerb {
    var request: LifecycleRequest { get }
}

extension LifecycleCommand {
    mutating func execute(_ runtime: Runtime) throws { try request.execute(runtime) }
}
