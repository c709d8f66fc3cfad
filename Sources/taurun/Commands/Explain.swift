import ArgumentParser
import TauSandbox

/// `taurun explain MANIFEST`: what each permission becomes (namespaces, mounts, devices, seccomp, AppArmor).
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain", abstract: "Show what a Tau app manifest's permissions turn into, with the recorded grants.")

    @Argument(help: "The manifest file.")
    var manifest: String

    @Option(name: .customLong("state-dir"), help: "taurun's app state (for recorded grants).")
    var stateDirectory: String = StateLayout.defaultDirectory

    @Option(name: .customLong("device-root"), help: ArgumentHelp("Where host devices are looked up (testing).", visibility: .hidden))
    var deviceRoot: String = "/dev"

    @Flag(help: "Print JSON.")
    var json = false

    mutating func run() throws {
        let json = self.json
        try SandboxCLI.report(json: json) { () throws(SandboxError) in
            let loaded = try ManifestLoader.load(path: manifest)
            let stored = StoredAppState.load(stateDirectory: stateDirectory, app: loaded.id, caller: .current())
            let explanation = try TauConverter.explain(
                manifest: loaded, stored: stored, deviceRoot: deviceRoot, environment: SandboxCLI.environment())
            print(json ? explanation.renderJSON() : explanation.renderText(), terminator: "")
        }
    }
}
