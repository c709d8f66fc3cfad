import ArgumentParser
import TauProvisioning
import TauSandbox
import TaurunAudit
import TaurunLinux
import TaurunRuntime

#if canImport(Glibc)
import Glibc
#endif

/// `taurun learn MANIFEST [-- ARGS]`: runs a Tau app in its sandbox with the security monitor recording instead of
/// stopping it, then says which permissions it used that the manifest does not request (with the calls that show
/// it), which requested ones it never used, its resource peaks against its limits, and the smallest manifest change
/// that lets it run, as a diff of the manifest (`--write` applies it).
///
/// The bundle is made exactly as `taurun convert` makes it, from the user's recorded decisions (a terminal prompt for
/// an undecided permission, as convert asks): learning runs the app as it will run, and grants nothing itself.
struct LearnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learn",
        abstract: "Run a Tau app with the security monitor recording instead of stopping it, and report the manifest it needs.")

    @Argument(help: "The manifest file (tau.toml, tau-app.json, manifest.tau).")
    var manifest: String

    @Option(name: .customLong("state-dir"), help: "taurun's app state (id ranges, grants, homes).")
    var stateDirectory: String = StateLayout.defaultDirectory

    @Option(help: "The app's root filesystem (overrides the manifest's rootfs).")
    var rootfs: String?

    @Option(help: "Host directory for filesystem access when the manifest names no paths.")
    var data: String?

    @Flag(help: "Print the report as one JSON object.")
    var json = false

    @Flag(help: "Apply the manifest change to the manifest file.")
    var write = false

    @Argument(parsing: .postTerminator, help: "After --: the app's command and arguments (replaces the manifest's).")
    var command: [String] = []

    @ParentCommand var parent: Taurun

    mutating func run() throws {
        CLIMain.globals = parent.globals.settings
        let json = self.json
        let scratch = try Self.scratchDirectory()
        defer { try? Files.removeTree(scratch) }

        // The bundle, as convert makes it. The manifest's text is read first: the change is computed for this text.
        var prepared: (text: String, manifest: Manifest, converted: ConvertResult, policy: ResourcePolicy)?
        try SandboxCLI.report(json: json) { () throws(SandboxError) in
            let text = try ManifestFile.read(manifest)
            let parsed = try ManifestLoader.load(path: manifest)
            if parsed.sandbox == .none {
                throw .policyDenied(
                    reason: "\(parsed.id) has sandbox = \"none\": it runs without a filter or security monitor, so there is nothing to learn")
            }
            var options = ConvertOptions(
                manifestPath: manifest, bundlePath: scratch + "/bundle", rootfs: rootfs, dataDirectory: data,
                stateDirectory: stateDirectory, environment: SandboxCLI.environment())
            options.command = command
            let converted: ConvertResult
            do throws(SandboxError) { converted = try AppInstaller.convert(options, prompter: TerminalPrompter()) } catch {
                PolicyDenialAudit.record(error, manifestPath: manifest, auditLogPath: parent.auditLogPath)
                throw error
            }
            ConsentAudit.record(converted.consentChanges, app: converted.app, auditLogPath: parent.auditLogPath)
            for warning in converted.warnings { CLIMain.writeError("taurun: warning: \(warning)\n") }
            prepared = (text, parsed, converted, try ResourcePolicy.load(stateDirectory: stateDirectory))
        }
        guard let prepared else { return }

        let (run, calls, usage) = try Self.runLearning(bundle: prepared.converted.bundlePath, runtime: parent.runtime)

        var uneditable: SandboxError?
        try SandboxCLI.report(json: json) { () throws(SandboxError) in
            let limits = try prepared.policy.apply(to: prepared.manifest.resources, app: prepared.manifest.id)
            let report = LearnReport(
                manifest: prepared.manifest, granted: prepared.converted.permissions.granted, limits: limits,
                ceilings: prepared.policy.ceilings, calls: calls, usage: usage)
            // A manifest whose layout the editor does not follow still gets its report; the change is then named for
            // the developer to make by hand, and the exit status says it was not made.
            var diff = ""
            do throws(SandboxError) {
                let edited = try ManifestEditor.apply(report.change, to: prepared.text, format: prepared.manifest.format, path: manifest)
                diff = UnifiedDiff.make(old: prepared.text, new: edited, path: manifest)
                if write && !report.change.isEmpty {
                    try ManifestFile.write(edited, to: manifest, expected: prepared.text)
                }
            } catch {
                uneditable = error
            }
            var summary = LearnReport.Run(
                app: prepared.converted.app.rawValue, manifestPath: manifest, format: prepared.manifest.format,
                exitCode: run.code, interrupted: run.interrupted, diff: diff,
                written: uneditable == nil && write && !report.change.isEmpty)
            summary.editError = uneditable?.line
            print(json ? report.json(summary) : report.text(summary), terminator: "")
        }
        if let uneditable { throw ExitCode(uneditable.exitCode) }
    }

    /// Creates, starts and waits for the learning container, then reads what its monitor and cgroup saw and deletes
    /// it. The app's stdout goes to stderr while it runs, so stdout holds the report alone (a --json reader parses it).
    static func runLearning(bundle: String, runtime: Runtime) throws
        -> (run: (code: Int32, interrupted: Bool), calls: [AuditEvent], usage: ResourcePeaks)
    {
        let id = "taurun-learn-\(Processes.ownPID)"
        let savedStdout = try? Files.duplicate(1)
        if savedStdout != nil { try? Files.duplicate(2, onto: 1) }
        defer {
            if let savedStdout {
                try? Files.duplicate(savedStdout, onto: 1)
                Files.close(savedStdout)
            }
        }
        let container = try runtime.create(id: id, bundle: bundle, options: CreateOptions(), learning: true)
        defer { try? runtime.delete(id: id, force: true) }
        try runtime.start(id: id)
        let run = runtime.waitLearning(container)
        let usage = (try? runtime.resourcePeaks(of: id)) ?? ResourcePeaks()
        return (run, runtime.learnedCalls(of: id), usage)
    }

    /// A private directory for the bundle, searchable by others (0711): the runtime resolves the bundle's mounts as
    /// the container's root, an unprivileged host uid, and convert checks for that.
    static func scratchDirectory() throws -> String {
        let base = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/tmp"
        do {
            let path = try Files.makeTemporaryDirectory(in: base, prefix: "taurun-learn.")
            try Files.changeMode(path: path, 0o711, display: path)
            return path
        } catch {
            throw RuntimeError.system(error)
        }
    }
}
