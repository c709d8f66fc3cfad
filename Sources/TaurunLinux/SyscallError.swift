import SystemPackage
import TaurunSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A failed system call: which call, on which path, and the errno the kernel returned.
/// Prints like crun: ``mount `/proc` to `/run/x/rootfs/proc`: Operation not permitted``.
public struct SyscallError: Error, FileCallError, CustomStringConvertible, Equatable {
    public let errno: Errno
    public let call: String
    public let path: String?

    public init(_ call: String, _ path: String? = nil, errno: Errno = Errno(rawValue: Glibc.errno)) {
        self.call = call
        self.path = path
        self.errno = errno
    }

    public init(_ call: String, _ path: String? = nil, rawErrno: Int32) {
        self.init(call, path, errno: Errno(rawValue: rawErrno))
    }

    /// A failed file call of the package's file layer (`FileIO<SyscallError>`).
    public init(call: String, path: String, errno: Int32) {
        self.init(call, path, rawErrno: errno)
    }

    public var description: String {
        let reason = errnoText(errno.rawValue)
        if let path { return "\(call) `\(path)`: \(reason)" }
        return "\(call): \(reason)"
    }
}

/// Calls `body` until it stops failing with EINTR; returns its result or throws the errno it set.
@inline(__always)
public func sys<T: FixedWidthInteger>(_ call: String, _ path: String? = nil, _ body: () -> T) throws(SyscallError) -> T {
    while true {
        let r = body()
        if r >= 0 { return r }
        let e = Glibc.errno
        if e == EINTR { continue }
        throw SyscallError(call, path, errno: Errno(rawValue: e))
    }
}
