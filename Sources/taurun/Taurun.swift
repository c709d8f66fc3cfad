import ArgumentParser
import TaurunRuntime

#if canImport(Glibc)
import Glibc
#endif

/// taurun's root command: runc's global flags, then one verb. Synchronous on purpose: the create path clones and
/// must stay single-threaded.
@main
struct Taurun: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "taurun",
        abstract: "An OCI container runtime and the Tau OS app sandbox.",
        version: "taurun version \(version)\nspec: \(Runtime.ociVersion)",
        subcommands: [
            SpecCommand.self, CreateCommand.self, StartCommand.self, RunCommand.self, StateCommand.self,
            ListCommand.self, KillCommand.self, DeleteCommand.self, FeaturesCommand.self, PauseCommand.self, ResumeCommand.self,
            PsCommand.self, UpdateCommand.self, EventsCommand.self, ExecCommand.self, CheckpointCommand.self, RestoreCommand.self,
            ConvertCommand.self, ExplainCommand.self, GrantCommand.self, RevokeCommand.self, GrantsCommand.self, AppsCommand.self, ResetCommand.self,
            UninstallCommand.self, LearnCommand.self, AuditCommand.self, NetworkHookCommand.self,
        ])

    /// runc's global options (and taurun's own), before the verb.
    @OptionGroup var globals: GlobalOptions

    var auditLogPath: String { globals.settings.auditLogPath }
    var runtime: Runtime { globals.settings.runtime }

    static func main() {
        CLIMain.run(Taurun.self)
    }
}
