import ArgumentParser
import TaurunRuntime

/// `checkpoint` and `restore` exist only to say clearly that taurun has no CRIU integration, whatever flags the
/// caller passes (Podman and the containerd shim pass many). `checkpoint --help` fails on purpose: Podman asks
/// exactly that to learn whether a runtime can checkpoint, and then reports that the configured runtime cannot.
struct CheckpointCommand: TaurunVerb {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint", abstract: "Not supported: taurun cannot checkpoint containers (no CRIU).",
        shouldDisplay: false, helpNames: [])
    @ParentCommand var parent: Taurun
    @Argument(parsing: .allUnrecognized, help: "Ignored.") var ignored: [String] = []

    mutating func execute(_ runtime: Runtime) throws {
        throw RuntimeError.usage(CheckpointSupport.message(for: "checkpoint"))
    }
}

struct RestoreCommand: TaurunVerb {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Not supported: taurun cannot restore containers (no CRIU).",
        shouldDisplay: false, helpNames: [])
    @ParentCommand var parent: Taurun
    @Argument(parsing: .allUnrecognized, help: "Ignored.") var ignored: [String] = []

    mutating func execute(_ runtime: Runtime) throws {
        throw RuntimeError.usage(CheckpointSupport.message(for: "restore"))
    }
}

enum CheckpointSupport {
    static func message(for verb: String) -> String {
        "\(verb) is not supported: taurun has no checkpoint/restore (CRIU) support"
    }
}
