import TaurunSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Every cgroup failure, with enough context to act on it from one stderr line: what was attempted, on which
/// file or directory, with which value, and the errno the kernel returned (nil for validation errors).
public struct CgroupError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The operation: "mkdir", "rmdir", "write", "read", "open", "kill", "freeze", "validate", "detect", ...
    public var operation: String
    /// The cgroup file or directory involved, or a JSON path (e.g. `linux.resources.memory.swappiness`) for
    /// validation errors.
    public var path: String
    /// The value that was written or rejected, if any.
    public var value: String?
    /// The kernel's errno, if a syscall failed.
    public var errno: Int32?
    /// A human explanation when errno alone does not say what went wrong.
    public var reason: String?

    public init(operation: String, path: String, value: String? = nil, errno: Int32? = nil, reason: String? = nil) {
        self.operation = operation
        self.path = path
        self.value = value
        self.errno = errno
        self.reason = reason
    }

    /// The caller may not manage cgroups here (rootless, read-only /sys/fs/cgroup): a rootless runtime can go on
    /// without a cgroup when the config asks for no limits, as runc does.
    public var isPermissionDenied: Bool {
        errno == EACCES || errno == EPERM || errno == EROFS
    }

    /// A configuration the host cannot honour (missing controller, out-of-range value, v1-only key on v2, ...).
    static func invalid(_ jsonPath: String, _ value: String?, _ reason: String) -> CgroupError {
        CgroupError(operation: "validate", path: jsonPath, value: value, reason: reason)
    }

    static func syscall(_ operation: String, _ path: String, value: String? = nil, errno: Int32, reason: String? = nil) -> CgroupError {
        CgroupError(operation: operation, path: path, value: value, errno: errno, reason: reason)
    }

    public var description: String {
        var text = "cgroup: "
        if operation == "validate" {
            text += path
            if let value { text += ": \(value)" }
            if let reason { text += ": \(reason)" }
            return text
        }
        if errno == nil {
            text += "\(operation) \(path)"
            if let value { text += ": \"\(value)\"" }
            if let reason { text += ": \(reason)" }
            return text
        }
        text += operation
        if let value { text += " \"\(value)\" to" }
        text += " \(path)"
        if let errno { text += ": \(errnoText(errno))" }
        if let reason { text += " (\(reason))" }
        return text
    }
}
