import ArgumentParser
import TaurunLinux
import TaurunRuntime

/// `taurun network-hook`: the createRuntime hook in the bundle of a Tau app with a route out (docs/permissions.md,
/// "network"). It reads the container's state on stdin, as every OCI hook does, starts slirp4netns for the
/// container's network namespace and exits once the route is up; runc and crun run it exactly as taurun does.
struct NetworkHookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network-hook",
        abstract: "createRuntime hook: give a Tau app's network namespace its route out (slirp4netns). Reads the OCI state on stdin.")

    @Option(help: "The slirp4netns binary (an absolute path; convert records the one it found).")
    var slirp4netns: String

    mutating func run() throws {
        guard slirp4netns.hasPrefix("/") else {
            throw RuntimeError.usage("network-hook: --slirp4netns must be an absolute path, not \(slirp4netns)")
        }
        let state: [UInt8]
        do { state = try Files.readAll(fd: 0, path: "stdin") } catch { throw RuntimeError.system(error) }
        try UserModeNetwork.start(state: state, slirp4netns: slirp4netns)
    }
}
