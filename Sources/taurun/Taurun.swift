import ArgumentParser

@main
struct Taurun: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "taurun", abstract: "An OCI container runtime and the Tau OS app sandbox.")
}
