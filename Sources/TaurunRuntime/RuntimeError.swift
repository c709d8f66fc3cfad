import TaurunLinux
import TaurunOCI
import TaurunSupport

/// Every way a runtime command can fail. Messages keep runc's wording where Podman and containerd match on it
/// ("does not exist", "permission denied", "executable file not found").
public enum RuntimeError: Error, CustomStringConvertible {
    case invalidID(String)
    case notExist(String)
    case alreadyExists(String)
    case cannotDelete(id: String, status: ContainerStatus)
    case spec(SpecError)
    case unsupported(field: String, value: String, reason: String)
    case system(SyscallError)
    case cgroup(String)
    case seccomp(String)
    case hook(kind: String, path: String, reason: String)
    case container(String)
    case usage(String)
    /// A mechanism the container requires is missing on this host (seed 003's E_SANDBOX_UNAVAILABLE).
    case sandboxUnavailable(String)

    public var description: String {
        switch self {
        case .invalidID(let id):
            return "invalid container ID format: \(Self.quote(id))"
        case .notExist(let id):
            return "container \(Self.quote(id)) does not exist"
        case .alreadyExists(let id):
            return "container ID already exists: \(Self.quote(id))"
        case .cannotDelete(let id, let status):
            return "cannot delete container \(id) that is not stopped: \(status.rawValue)"
        case .spec(let e):
            return e.description
        case .unsupported(let field, let value, let reason):
            return "config.json: \(field): \(reason) \(Self.quote(value))"
        case .system(let e):
            return e.description
        case .cgroup(let m), .seccomp(let m), .container(let m), .usage(let m):
            return m
        case .sandboxUnavailable(let what):
            return "E_SANDBOX_UNAVAILABLE: \(what)"
        case .hook(let kind, let path, let reason):
            return "\(kind) hook \(path): \(reason)"
        }
    }

    /// Shortens and quotes user input so an error stays one readable line (the package's one message quoter).
    static func quote(_ s: String) -> String { messageQuoted(s, limit: 64) }
}
