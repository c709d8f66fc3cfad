#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A failed system call on the audit log: which call, on which path, and the errno, so callers can still match on
/// EACCES or ENOSPC. Prints as one line: `audit log: open /var/log/taurun/audit.jsonl: permission denied`.
public struct AuditError: Error, CustomStringConvertible, Sendable, Equatable {
    public let call: String
    public let path: String
    public let errno: Int32

    public init(call: String, path: String, errno: Int32) {
        self.call = call
        self.path = path
        self.errno = errno
    }

    public var description: String {
        "audit log: \(call) \(path): \(Self.errnoText(errno))"
    }

    /// strerror with a lower-case first letter, the way runc and Podman spell errno ("no such file or directory").
    static func errnoText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        let message = String(cString: text)
        guard let first = message.first else { return "errno \(code)" }
        return first.lowercased() + message.dropFirst()
    }
}
