import ArgumentParser
import TauProvisioning
import TauSandbox
import TaurunAudit
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

/// `taurun convert MANIFEST --bundle DIR`: a Tau app manifest + the user's grants → an OCI bundle.
struct ConvertCommand: ParsedAlone {
    static let configuration = CommandConfiguration.parsedAlone(
        "convert",
        abstract: "Turn a Tau app manifest (tau.toml, tau-app.json, manifest.tau) into an OCI bundle that enforces its granted permissions.")

    @Argument(help: "The manifest file.")
    var manifest: String

    @Option(help: "Directory to write the bundle to (replaced if it is a bundle taurun wrote).")
    var bundle: String

    @Option(help: "The app's root filesystem (overrides the manifest's rootfs).")
    var rootfs: String?

    @Option(help: "Host directory for filesystem access when the manifest names no paths.")
    var data: String?

    @Option(name: .customLong("grant"), help: "Grant a permission for this app (repeatable); recorded like `taurun grant`.")
    var grants: [String] = []

    @Flag(help: "Grant every permission the manifest requests (recorded).")
    var yes = false

    @Option(name: .customLong("state-dir"), help: "taurun's app state (id ranges, grants, homes).")
    var stateDirectory: String = StateLayout.defaultDirectory

    @Option(name: .customLong("device-root"), help: ArgumentHelp("Where host devices are looked up (testing).", visibility: .hidden))
    var deviceRoot: String = "/dev"

    @Flag(help: "Print the result, or the error, as JSON on stdout.")
    var json = false

    @Option(help: "The host user who owns the app and may open its home (default: the sudo caller).")
    var owner: String?

    @Option(
        name: .customLong("on-violation"),
        help: "terminate, deny or ask: replaces the manifest's on_violation (ask: runtime permission prompts, docs/prompts.md).")
    var onViolation: String?

    @Argument(parsing: .postTerminator, help: "After --: the app's command and arguments, when the manifest names none (or to replace it).")
    var command: [String] = []

    mutating func run() throws {
        let json = self.json
        try SandboxCLI.report(json: json) { () throws(SandboxError) in
            let options = try convertOptions()
            let result: ConvertResult
            do throws(SandboxError) { result = try AppInstaller.convert(options, prompter: TerminalPrompter()) } catch {
                PolicyDenialAudit.record(error, manifestPath: manifest, auditLogPath: globals.auditLogPath)
                throw error
            }
            ConsentAudit.record(result.consentChanges, app: result.app, auditLogPath: globals.auditLogPath)
            warn(result)
            print(json ? Self.jsonLine(result) : Self.summary(result))
        }
    }

    /// The command line as AppInstaller's options.
    func convertOptions() throws(SandboxError) -> ConvertOptions {
        var options = ConvertOptions(
            manifestPath: manifest, bundlePath: bundle, rootfs: rootfs, dataDirectory: data, grants: try SandboxCLI.permissions(grants),
            yes: yes, stateDirectory: stateDirectory, deviceRoot: deviceRoot, environment: SandboxCLI.environment())
        options.command = command
        options.owner = owner
        if let onViolation {
            guard let mode = OnViolation(rawValue: onViolation) else {
                throw .manifestValue(
                    path: "(command line)", key: "--on-violation", value: "\"\(onViolation)\"", reason: "must be terminate, deny or ask")
            }
            options.onViolation = mode
        }
        return options
    }

    /// Convert's warnings on stderr, with or without --json: an unsandboxed app and each thing a rootless convert
    /// left out are audited too.
    func warn(_ result: ConvertResult) {
        if result.unsandboxed {
            // An unsandboxed app is named as such, every time it is converted: running without a sandbox must
            // never go unnoticed, by the user or in the audit log.
            let line = "\(result.app) runs UNSANDBOXED (sandbox = \"none\"): no user namespace, seccomp filter or AppArmor profile"
            CLIMain.writeError("taurun: warning: \(line)\n")
            try? AuditLog(path: globals.auditLogPath).append(
                AuditEvent(event: .unsandboxed, app: result.app.rawValue, container: nil, action: "converted", message: line))
        }
        for line in result.rootlessOmissions {
            // Converted without root: each thing the sandbox goes without is said once, and audited, so the user
            // knows what running without root costs.
            CLIMain.writeError("taurun: rootless: \(line)\n")
            try? AuditLog(path: globals.auditLogPath).append(
                AuditEvent(event: .rootlessSkipped, app: result.app.rawValue, container: nil, action: "skipped", message: line))
        }
        for warning in result.warnings {
            CLIMain.writeError("taurun: warning: \(warning)\n")
        }
    }

    /// The result as one line for a person.
    static func summary(_ result: ConvertResult) -> String {
        let permissions = result.permissions
        let granted = permissions.granted.sorted().map(\.rawValue).joined(separator: " ")
        let denied = permissions.denied.subtracting(permissions.askedAtRuntime).sorted().map(\.rawValue).joined(separator: " ")
        var line = "converted \(result.app) into \(result.bundlePath): granted \(granted.isEmpty ? "-" : granted); denied \(denied.isEmpty ? "-" : denied)"
        // Under on_violation = "ask", what nobody decided is not refused: the app is asked when it uses it.
        if !permissions.askedAtRuntime.isEmpty {
            line += "; asked at runtime " + permissions.askedAtRuntime.sorted().map(\.rawValue).joined(separator: " ")
        }
        return line
    }

    /// The result as one JSON object (--json).
    static func jsonLine(_ result: ConvertResult) -> String {
        SandboxCLI.jsonLine(.object([
            ("app", .string(result.app.rawValue)),
            ("bundle", .string(result.bundlePath)),
            ("host_uid", .number(result.hostUID)),
            ("home", .string(result.homePath)),
            ("granted", SandboxCLI.strings(result.permissions.granted.sorted().map(\.rawValue))),
            ("denied", SandboxCLI.strings(result.permissions.denied.subtracting(result.permissions.askedAtRuntime).sorted().map(\.rawValue))),
            ("asked_at_runtime", SandboxCLI.strings(result.permissions.askedAtRuntime.sorted().map(\.rawValue))),
        ]))
    }
}

/// Shared plumbing for the sandbox verbs: typed errors → `taurun: E_CODE: message` on stderr (or a JSON object on
/// stdout with --json) and the documented exit status.
enum SandboxCLI {
    static func report(json: Bool, _ body: () throws(SandboxError) -> Void) throws {
        do {
            try body()
        } catch {
            if json {
                print(error.json)
            } else {
                CLIMain.writeError("taurun: \(error.line)\n")
            }
            throw ExitCode(error.exitCode)
        }
    }

    static func permissions(_ tokens: [String]) throws(SandboxError) -> Set<Permission> {
        var result: Set<Permission> = []
        for token in tokens {
            guard let permission = Permission.parse(token) else {
                throw .unknownPermission(path: nil, key: "permission", value: token, suggestion: Permission.suggestion(for: token))
            }
            result.insert(permission)
        }
        return result
    }

    static func environment() -> [String: String] {
        var result: [String: String] = [:]
        for name in ["HOME", "XDG_RUNTIME_DIR", "WAYLAND_DISPLAY", "DISPLAY", "SUDO_USER"] {
            if let value = getenv(name) { result[name] = String(cString: value) }
        }
        return result
    }

    /// What the --json verbs print: one compact line, members in the order given.
    static func jsonLine(_ value: JSONValue) -> String {
        String(decoding: JSONWriter(indent: nil, keyOrder: .asBuilt).write(value), as: UTF8.self)
    }

    static func strings(_ items: [String]) -> JSONValue { .array(items.map(JSONValue.string)) }
}
