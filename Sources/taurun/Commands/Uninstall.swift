import ArgumentParser
import TauProvisioning
import TauSandbox
import TaurunAudit
import TaurunOCI
import TaurunRuntime
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

/// `taurun uninstall APP`: everything convert provisioned for the app goes (AppUninstaller), after a confirmation
/// when its home is deleted; refused while a container of the app runs.
struct UninstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uninstall",
        abstract: "Remove a Tau app: its bundles, home, grants, id range, AppArmor profile, ACL entries and unshared rootfs skeletons.")

    @Argument(help: "The app id (reverse-DNS).")
    var app: String

    @Flag(help: "Delete the app's home without asking.")
    var yes = false

    @Flag(name: .customLong("keep-data"), help: "Keep the app's home (and the host ids its files belong to) for a reinstall.")
    var keepData = false

    @Option(name: .customLong("state-dir"), help: "taurun's app state.")
    var stateDirectory: String = StateLayout.defaultDirectory

    @Flag(help: "Print the result, or the error, as JSON on stdout.")
    var json = false

    @ParentCommand var parent: Taurun

    mutating func run() throws {
        let (app, yes, keepData, json, stateDirectory) = (self.app, self.yes, self.keepData, self.json, self.stateDirectory)
        let parent = self.parent
        try SandboxCLI.report(json: json) { () throws(SandboxError) in
            let id = try GrantEdit.appID(app)
            let uninstaller = AppUninstaller(stateDirectory: stateDirectory, app: id, host: HostProvisioner())
            let inventory = try uninstaller.inventory()
            try uninstaller.requireStopped(inventory, containers: Self.taurunContainers(of: id, parent: parent))
            if let home = inventory.home, !keepData, !yes {
                let question = "Uninstall \(id) and delete its home \(home) with everything the app wrote there? [y/N] "
                guard let terminal = TerminalPrompter() else {
                    throw .policyDenied(reason: "uninstalling \(id) deletes its home \(home): pass --yes to confirm, "
                        + "or --keep-data to keep it; nothing was removed")
                }
                guard terminal.answer(question) == true else {
                    throw .policyDenied(reason: "uninstall of \(id) not confirmed; nothing was removed")
                }
            }
            let report = try uninstaller.uninstall(inventory, keepData: keepData)
            ConsentAudit.record(report.consentChanges, app: id, auditLogPath: parent.auditLogPath)
            let kept = report.keptHome.map { "; kept its home \($0)" } ?? ""
            let line = "uninstalled \(id): removed " + (report.removed.isEmpty ? "nothing else" : report.removed.joined(separator: ", ")) + kept
            try? AuditLog(path: parent.auditLogPath).append(AuditEvent(
                event: .uninstall, app: id.rawValue, container: nil, action: report.keptHome == nil ? "removed" : "removed, home kept",
                message: line + " (by \(ConsentAudit.caller()))"))
            if json {
                print(SandboxCLI.jsonLine(.object([
                    ("app", .string(id.rawValue)),
                    ("removed", SandboxCLI.strings(report.removed)),
                    ("kept_home", report.keptHome.map(JSONValue.string) ?? .null),
                ])))
            } else {
                print(line)
            }
        }
    }

    /// The app's containers in taurun's state root that are not stopped (the annotation convert writes names the
    /// app). Containers of other runtimes are found by AppUninstaller through their processes.
    static func taurunContainers(of app: AppID, parent: Taurun) -> [String] {
        let states = (try? parent.runtime.list()) ?? []
        return states.filter { $0.annotations?["org.tauos.app.id"] == app.rawValue && $0.status != .stopped }.map(\.id).sorted()
    }
}
