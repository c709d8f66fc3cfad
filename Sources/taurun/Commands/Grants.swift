import ArgumentParser
import TauProvisioning
import TauSandbox
import TaurunSupport

/// `taurun grant APP PERM…`: record consent.
struct GrantCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "grant", abstract: "Grant permissions to a Tau app (recorded for convert).")

    @Argument(help: "The app id (reverse-DNS).")
    var app: String

    @Argument(help: "Permissions: network camera microphone audio display gpu filesystem:ro filesystem:rw.")
    var permissions: [String]

    @Option(name: .customLong("state-dir"), help: "taurun's app state.")
    var stateDirectory: String = StateLayout.defaultDirectory

    @Flag(help: "Print errors as JSON.")
    var json = false

    @ParentCommand var parent: Taurun

    mutating func run() throws {
        try GrantEdit.apply(app: app, tokens: permissions, stateDirectory: stateDirectory, json: json, via: "grant",
                            auditLogPath: parent.auditLogPath) { $0.grant($1) }
    }
}

/// `taurun revoke APP PERM…`: record refusal (the next convert denies them).
struct RevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke (deny) permissions of a Tau app; convert again to apply.")

    @Argument(help: "The app id (reverse-DNS).")
    var app: String

    @Argument(help: "Permissions to deny.")
    var permissions: [String]

    @Option(name: .customLong("state-dir"), help: "taurun's app state.")
    var stateDirectory: String = StateLayout.defaultDirectory

    @Flag(help: "Print errors as JSON.")
    var json = false

    @ParentCommand var parent: Taurun

    mutating func run() throws {
        try GrantEdit.apply(app: app, tokens: permissions, stateDirectory: stateDirectory, json: json, via: "revoke",
                            auditLogPath: parent.auditLogPath, withdrawAccess: true) { $0.deny($1) }
    }
}

/// `taurun reset APP [PERM…]`: decisions back to "ask" (all of the app's, or the named ones).
struct ResetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reset", abstract: "Return a Tau app's recorded decisions to \"ask\"; convert again to apply.")

    @Argument(help: "The app id (reverse-DNS).")
    var app: String

    @Argument(help: "Permissions to forget (default: every decision of the app).")
    var permissions: [String] = []

    @Option(name: .customLong("state-dir"), help: "taurun's app state.")
    var stateDirectory: String = StateLayout.defaultDirectory

    @Flag(help: "Print errors as JSON.")
    var json = false

    @ParentCommand var parent: Taurun

    mutating func run() throws {
        let tokens = permissions.isEmpty ? Permission.vocabulary : permissions
        try GrantEdit.apply(app: app, tokens: tokens, stateDirectory: stateDirectory, json: json, via: "reset",
                            auditLogPath: parent.auditLogPath, withdrawAccess: true) { $0.forget($1) }
    }
}

/// `taurun apps`: every app taurun converted, with its decisions.
struct AppsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apps", abstract: "List the Tau apps taurun converted, with their manifest version and granted and denied permissions.")

    @Option(name: .customLong("state-dir"), help: "taurun's app state.")
    var stateDirectory: String = StateLayout.defaultDirectory

    @Flag(help: "Print JSON.")
    var json = false

    mutating func run() throws {
        let json = self.json
        let stateDirectory = self.stateDirectory
        try SandboxCLI.report(json: json) { () throws(SandboxError) in
            let store = GrantStore(stateDirectory: stateDirectory)
            let apps = try IDAllocator(stateDirectory: stateDirectory).knownApps()
            let records = try apps.map { app throws(SandboxError) in try store.record(for: app) }
            GrantsCommand.print(records, json: json, version: true)
        }
    }
}

/// `taurun grants [APP]`: list recorded decisions.
struct GrantsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "grants", abstract: "List recorded grants and refusals.")

    @Argument(help: "Only this app.")
    var app: String?

    @Option(name: .customLong("state-dir"), help: "taurun's app state.")
    var stateDirectory: String = StateLayout.defaultDirectory

    @Flag(help: "Print JSON.")
    var json = false

    mutating func run() throws {
        let json = self.json
        let app = self.app
        let stateDirectory = self.stateDirectory
        try SandboxCLI.report(json: json) { () throws(SandboxError) in
            let store = GrantStore(stateDirectory: stateDirectory)
            let records: [GrantRecord]
            if let app {
                records = [try store.record(for: try GrantEdit.appID(app))]
            } else {
                records = try store.allRecords()
            }
            GrantsCommand.print(records, json: json)
        }
    }

    /// The table (APP, [VERSION,] GRANTED, DENIED, aligned), or a JSON array. `version`: the manifest version of the
    /// app's last convert ("-" when none was recorded), for `taurun apps`.
    static func print(_ records: [GrantRecord], json: Bool, version: Bool = false) {
        let records = records.sorted { $0.app < $1.app }
        if json {
            let items = records.map { record -> JSONValue in
                var members: [JSONValue.Member] = [("app", .string(record.app.rawValue))]
                if version { members.append(("version", record.version.map(JSONValue.string) ?? .null)) }
                members.append(("granted", SandboxCLI.strings(record.granted.sorted().map(\.rawValue))))
                members.append(("denied", SandboxCLI.strings(record.denied.sorted().map(\.rawValue))))
                return .object(members)
            }
            Swift.print(SandboxCLI.jsonLine(.array(items)))
            return
        }
        let rows = records.map { record in
            [record.app.rawValue] + (version ? [record.version ?? "-"] : [])
                + [record.granted.sorted().map(\.rawValue).joined(separator: ",").nonEmpty ?? "-",
                   record.denied.sorted().map(\.rawValue).joined(separator: ",").nonEmpty ?? "-"]
        }
        let header = ["APP"] + (version ? ["VERSION"] : []) + ["GRANTED", "DENIED"]
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            let cells = row.indices.dropLast().map { row[$0] + String(repeating: " ", count: widths[$0] - row[$0].count) }
            Swift.print((cells + [row[row.count - 1]]).joined(separator: "  "))
        }
    }
}

extension String {
    /// nil for "", else the string (for "-" placeholders).
    var nonEmpty: String? { isEmpty ? nil : self }
}

enum GrantEdit {
    static func appID(_ text: String) throws(SandboxError) -> AppID {
        guard let id = AppID(text) else {
            throw .manifestValue(path: "(command line)", key: "APP", value: "\"\(text)\"", reason: AppID.problem(with: text) ?? "is invalid")
        }
        return id
    }

    /// `withdrawAccess` (revoke, reset): the display/audio socket access and the access to granted paths that an
    /// earlier convert gave are taken back at once, not only at the next convert.
    static func apply(
        app: String, tokens: [String], stateDirectory: String, json: Bool, via: String, auditLogPath: String,
        withdrawAccess: Bool = false, _ change: @escaping (inout GrantRecord, Permission) -> Void
    ) throws {
        try SandboxCLI.report(json: json) { () throws(SandboxError) in
            let id = try appID(app)
            let permissions = try SandboxCLI.permissions(tokens)
            let ordered = permissions.sorted()
            let store = GrantStore(stateDirectory: stateDirectory)
            if via == "grant" { try GrantCheck.grantable(id, ordered, store: store, stateDirectory: stateDirectory) }
            var before = GrantRecord(app: id)
            let record = try store.update(id) { record in
                before = record
                for permission in ordered { change(&record, permission) }
            }
            ConsentAudit.record(ConsentChange.between(before, record, via: via), app: id, auditLogPath: auditLogPath)
            if !json {
                let names = ordered.map(\.rawValue).joined(separator: " ")
                switch via {
                case "grant": print("granted \(names) to \(id); convert it again to apply")
                case "reset": print("reset \(id) (\(names)) to ask; convert it again to apply")
                default: print("revoked \(names) of \(id); convert it again and restart the app to apply")
                }
            }
            if withdrawAccess {
                try SocketAccess.withdraw(stateDirectory: stateDirectory, app: id, keeping: record, host: HostProvisioner())
                try DataAccess.withdraw(stateDirectory: stateDirectory, app: id, keeping: record, host: HostProvisioner())
            }
        }
    }
}

/// `taurun grant` records consent only for an app taurun knows (it converted it) and a permission its manifest
/// requests: a typo must not become a silent, meaningless record. `revoke` may refuse ahead of time.
enum GrantCheck {
    static func grantable(_ id: AppID, _ permissions: [Permission], store: GrantStore, stateDirectory: String) throws(SandboxError) {
        let known = try store.allRecords().map(\.app)
        let converted = try IDAllocator(stateDirectory: stateDirectory).existing(id) != nil
        guard converted || known.contains(id) else {
            let names = known.map(\.rawValue)
            let suggestion = AppID.suggestion(for: id.rawValue, among: names)
            throw .policyDenied(reason: "unknown app \(id): convert its manifest first"
                + (suggestion.map { " (did you mean \($0)?)" } ?? (names.isEmpty ? "" : "; known apps: " + names.joined(separator: ", "))))
        }
        guard let requested = try store.record(for: id).requested else { return }
        for permission in permissions where !requested.contains(permission) {
            // filesystem:rw answers a filesystem:ro request and the reverse is a narrowing: both are fine.
            if permission == .filesystemReadOnly && requested.contains(.filesystemReadWrite) { continue }
            let asked = requested.sorted().map(\.rawValue).joined(separator: ", ")
            throw .policyDenied(reason: "\(id) does not request \(permission.rawValue)"
                + (asked.isEmpty ? " (it requests no permission)" : " (it requests \(asked))"))
        }
    }
}
