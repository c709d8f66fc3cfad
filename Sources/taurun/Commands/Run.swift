import ArgumentParser
import TaurunRuntime

struct RunCommand: TaurunVerb {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Create and start a container, and wait for it.")
    @ParentCommand var parent: Taurun
    @OptionGroup var options: ContainerCreationOptions
    @Flag(name: [.short, .long], help: "Detach: return once the container runs.") var detach = false
    @Flag(help: "Keep the container's state after it exits.") var keep = false
    @Argument(help: "Container id.") var id: String

    mutating func execute(_ runtime: Runtime) throws {
        var createOptions = options.createOptions
        createOptions.foregroundTerminal = !detach
        let container = try runtime.create(id: id, bundle: options.bundle, options: createOptions)
        do {
            try runtime.start(id: id)
        } catch {
            try? runtime.delete(id: id, force: true)
            throw error
        }
        if detach { return }
        let code = runtime.waitForeground(container)
        if !keep { try? runtime.delete(id: id, force: true) }
        if code != 0 { throw ExitCode(code) }
    }
}
