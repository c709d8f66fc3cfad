import TaurunLinux
import TaurunSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What went wrong talking to a D-Bus peer: a syscall on the socket, a peer that broke the protocol, a reply
/// that did not come in time, or an error reply from the other side (with its D-Bus error name).
public enum DBusError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `call` failed on `address` (the socket path) with `errno`.
    case syscall(call: String, address: String, errno: Int32)
    /// Bytes that are not a valid D-Bus message, or an authentication exchange that went wrong.
    case malformed(String)
    /// No answer to `what` within the timeout.
    case timeout(String)
    /// An error reply: `name` is e.g. org.freedesktop.systemd1.NoSuchUnit, `message` its first string argument.
    case remote(name: String, message: String)
    /// An address string taurun cannot use (only unix:path= and unix:abstract= are supported).
    case unsupportedAddress(String)

    /// A failed socket call of `address`'s connection.
    init(_ error: SyscallError, address: DBusAddress) {
        self = .syscall(call: error.call, address: address.displayName, errno: error.errno.rawValue)
    }

    public var description: String {
        switch self {
        case .syscall(let call, let address, let errno):
            "\(call) \(address): \(errnoText(errno))"
        case .malformed(let detail):
            "malformed D-Bus data: \(detail)"
        case .timeout(let what):
            "timed out waiting for \(what)"
        case .remote(let name, let message):
            message.isEmpty ? name : "\(name): \(message)"
        case .unsupportedAddress(let address):
            "unsupported D-Bus address \"\(address)\" (taurun speaks unix:path= and unix:abstract= only)"
        }
    }

    /// The D-Bus error name of an error reply, nil for local failures.
    public var remoteName: String? {
        if case .remote(let name, _) = self { return name }
        return nil
    }
}
