import TaurunSupport

/// Every failure TauSandbox reports. Each case carries what the user needs to fix it (file, key, value, errno),
/// and maps to one stable code and exit status (documented in docs/permissions.md).
public enum SandboxError: Error, Equatable, Sendable {
    /// The manifest file could not be read.
    case manifestUnreadable(path: String, errno: Int32)
    /// Syntax error in the file (TOML or JSON), with its position when the parser gives one.
    case manifestSyntax(path: String, line: Int?, column: Int?, message: String)
    /// A key has the wrong type or an unacceptable value. `key` is a dotted path such as `resources.memory`.
    case manifestValue(path: String, key: String, value: String, reason: String)
    /// A required key is missing.
    case manifestMissingKey(path: String, key: String)
    /// No command: none in the manifest, none after `--`, and no program at the rootfs convention's path (AppCommand).
    case commandMissing(path: String, conventional: String)
    /// A key the format does not define (typos included).
    case manifestUnknownKey(path: String, key: String, suggestion: String?)
    /// A permission outside the vocabulary.
    case unknownPermission(path: String?, key: String, value: String, suggestion: String?)
    /// The manifest is well-formed but policy refuses it (forbidden path, missing acknowledgement, allowlist...).
    case policyDenied(reason: String)
    /// Sensitive permissions requested with no recorded decision and no terminal to ask on.
    case grantsMissing(app: String, permissions: [Permission])
    /// A mechanism the sandbox needs is missing on this host.
    case sandboxUnavailable(what: String)
    /// A system call failed while reading or writing host state.
    case io(call: String, path: String, errno: Int32)
    /// A helper program (mkfs.ext4, mount) failed.
    case toolFailed(tool: String, arguments: [String], status: Int32, output: String)

    /// Stable machine-readable code.
    public var code: String {
        switch self {
        case .manifestUnreadable, .manifestSyntax, .manifestValue, .manifestMissingKey, .commandMissing, .manifestUnknownKey,
            .unknownPermission:
            return "E_MANIFEST"
        case .policyDenied, .grantsMissing: return "E_POLICY_DENIED"
        case .sandboxUnavailable: return "E_SANDBOX_UNAVAILABLE"
        case .io: return "E_IO"
        case .toolFailed: return "E_TOOL"
        }
    }

    /// Stable exit status (BSD sysexits values, so shell callers can tell the classes apart).
    public var exitCode: Int32 {
        switch code {
        case "E_MANIFEST": return 65  // EX_DATAERR
        case "E_POLICY_DENIED": return 77  // EX_NOPERM
        case "E_SANDBOX_UNAVAILABLE": return 69  // EX_UNAVAILABLE
        case "E_IO": return 74  // EX_IOERR
        default: return 71  // EX_OSERR
        }
    }

    /// The human message after the code.
    public var message: String {
        switch self {
        case .manifestUnreadable(let path, let errno):
            return "\(path): cannot read manifest: \(errnoText(errno))"
        case .manifestSyntax(let path, let line, let column, let message):
            var position = ""
            if let line { position = ":\(line)" + (column.map { ":\($0)" } ?? "") }
            return "\(path)\(position): syntax error: \(message)"
        case .manifestValue(let path, let key, let value, let reason):
            return "\(path): key \(key): value \(value) \(reason)"
        case .commandMissing(let path, let conventional):
            return "\(path): missing required key command; name the program in the manifest, give it after --: "
                + "taurun convert MANIFEST -- /path/to/program ARGS, or install it in the app's rootfs as \(conventional)"
        case .manifestMissingKey(let path, let key):
            return "\(path): missing required key \(key)"
        case .manifestUnknownKey(let path, let key, let suggestion):
            return "\(path): unknown key \(key)" + (suggestion.map { " (did you mean \($0)?)" } ?? "")
        case .unknownPermission(let path, let key, let value, let suggestion):
            let prefix = path.map { "\($0): " } ?? ""
            return "\(prefix)\(key): unknown permission \(quoted(value))"
                + (suggestion.map { " (did you mean \($0)?)" } ?? "")
                + "; known: " + Permission.vocabulary.joined(separator: ", ")
        case .policyDenied(let reason):
            return reason
        case .grantsMissing(let app, let permissions):
            let list = permissions.map(\.rawValue).joined(separator: " ")
            return "\(app) requests \(list) without a recorded decision and there is no terminal to ask on; "
                + "grant with `taurun grant \(app) \(list)`, deny with `taurun revoke \(app) \(list)`, "
                + "or pass --grant/--yes to convert"
        case .sandboxUnavailable(let what):
            return what
        case .io(let call, let path, let errno):
            return "\(call) \(path): \(errnoText(errno))"
        case .toolFailed(let tool, let arguments, let status, let output):
            return "\(tool) \(arguments.joined(separator: " ")) exited with status \(status)"
                + (output.isEmpty ? "" : ": \(output)")
        }
    }

    /// `E_CODE: message`, the one line printed on stderr.
    public var line: String { "\(code): \(message)" }
}

/// A manifest's value in a message: the package's one message quoter (TaurunSupport), cut at 200 characters.
func quoted(_ value: String) -> String { messageQuoted(value, limit: 200) }

/// TauSandbox's file calls: the package's one file layer, failing as `.io(call:path:errno:)`.
typealias FileSystem = FileIO<SandboxError>

extension SandboxError: FileCallError {
    public init(call: String, path: String, errno: Int32) {
        self = .io(call: call, path: path, errno: errno)
    }
}
