// The one error type of TaurunSeccomp: it names the config.json field it is about (a JSON path such as
// `linux.seccomp.syscalls[3].args[0].index`) so a user can find the offending value, and, when libseccomp or the
// kernel refused something, the call and its errno.

import TaurunSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

public struct SeccompError: Error, CustomStringConvertible, Equatable, Sendable {
    /// JSON path of the offending field, rooted at config.json (`linux.seccomp...`).
    public let path: String
    /// What is wrong, in words.
    public let message: String
    /// The libseccomp or system call that failed, when one did.
    public let call: String?
    /// The errno that call reported (positive), when one did.
    public let errno: Int32?

    public init(path: String, message: String, call: String? = nil, errno: Int32? = nil) {
        self.path = path
        self.message = message
        self.call = call
        self.errno = errno
    }

    public var description: String {
        var text = "\(path): \(message)"
        if let call {
            text += " (\(call)"
            if let errno {
                text += ": \(errnoText(errno))"
            }
            text += ")"
        }
        return text
    }
}
