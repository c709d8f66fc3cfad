import TaurunSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A failed system call on the audit log: which call, on which path, and the errno, so callers can still match on
/// EACCES or ENOSPC. Prints as one line: `audit log: open /var/log/taurun/audit.jsonl: permission denied`.
public struct AuditError: Error, FileCallError, CustomStringConvertible, Sendable, Equatable {
    public let call: String
    public let path: String
    public let errno: Int32

    /// Set when the log was refused for a reason that is not a failed call (an unsafe directory).
    public let reason: String?

    public init(call: String, path: String, errno: Int32) {
        self.call = call
        self.path = path
        self.errno = errno
        self.reason = nil
    }

    /// A refusal: `path` is unsafe to log into, for `reason` (EPERM for callers that match on errno).
    public init(refusing path: String, reason: String) {
        self.call = "check"
        self.path = path
        self.errno = EPERM
        self.reason = reason
    }

    public var description: String {
        if let reason { return "audit log: directory \(path) \(reason); refusing to use it" }
        return "audit log: \(call) \(path): \(Self.errnoText(errno))"
    }

    /// strerror with a lower-case first letter, the way runc and Podman spell errno ("no such file or directory").
    static func errnoText(_ code: Int32) -> String { errnoTextLowercased(code) }
}

/// The audit log's file calls: the package's one file layer, failing as AuditError.
typealias AuditFiles = FileIO<AuditError>
