import ArgumentParser

struct RunCommand: LifecycleCommand, ParsedAlone {
    static let configuration = CommandConfiguration.parsedAlone("run", abstract: "Create and start a container, and wait for it.")
    @OptionGroup var options: ContainerCreationOptions
    @Flag(name: [.short, .long], help: "Detach: return once the container runs.") var detach = false
    @Flag(help: "Keep the container's state after it exits.") var keep = false
    @Argument(help: "Container id.") var id: String

    var request: LifecycleRequest { .run(id: id, creation: options.arguments, detach: detach, keep: keep) }
}
