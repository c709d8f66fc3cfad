import ArgumentParser
import TaurunRuntime

#if canImport(Glibc)
import Glibc
#endif

struct RunCommand: TaurunVerb, ParsedAlone {
    static let configuration = CommandConfiguration.parsedAlone("run", abstract: "Create and start a container, and wait for it.")
    @OptionGroup var options: ContainerCreationOptions
    @Flag(name: [.short, .long], help: "Detach: return once the container runs.") var detach = false
    @Flag(help: "Keep the container's state after it exits.") var keep = false
    @Argument(help: "Container id.") var id: String

    mutating func execute(_ runtime: Runtime) throws {
        var createOptions = options.createOptions
        createOptions.foregroundTerminal = !detach
        // In the foreground on a terminal, an on_violation = "ask" app's questions come here (PromptTerminal).
        let prompts = detach ? nil : PromptTerminal.open()
        createOptions.promptChannel = prompts?.monitorEnd ?? -1
        let container: CreatedContainer
        do {
            container = try runtime.create(id: id, bundle: options.bundle, options: createOptions)
        } catch {
            if let prompts { close(prompts.channel); close(prompts.monitorEnd) }
            throw error
        }
        if let prompts { close(prompts.monitorEnd) }
        let asking = container.asksOnTerminal ? prompts : nil
        if let prompts, asking == nil { close(prompts.channel) }
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
