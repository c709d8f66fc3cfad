import ArgumentParser
import TaurunLinux
import TaurunOCI
import TaurunSupport

/// Parsed alone (VerbAloneParse) in its plain spelling: in the whole-tree parse the global `--rootless VALUE` (runc's
/// global option) would take spec's own `--rootless` flag and ask for a value.
struct SpecCommand: TaurunVerb, ParsedAlone {
    static let configuration = CommandConfiguration.parsedAlone("spec", abstract: "Write a default config.json into the bundle.")
    @Option(name: [.short, .long], help: "Bundle directory to write config.json into.") var bundle: String = "."
    @Flag(help: "Write a spec for a rootless container.") var rootless = false

    mutating func execute(_ runtime: TaurunRuntime.Runtime) throws {
        let path = bundle + "/config.json"
        if Files.exists(path) { throw ValidationError("File \(path) exists. Remove it first") }
        let spec = DefaultSpec.make(
            rootless: rootless, hostUID: rootless ? ProcessIdentity.realUID : nil, hostGID: rootless ? ProcessIdentity.realGID : nil)
        try Files.writeAtomically(path, spec.encodedJSON(), mode: 0o644)
    }
}

import TaurunRuntime
