import TaurunLinux
import TaurunSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A synchronous D-Bus client connection over a unix socket: SASL EXTERNAL authentication, then blocking
/// request/reply with poll(2) timeouts. No threads and no event loop: taurun's create path is single-threaded,
/// and a CLI invocation makes only a handful of calls. Signals that arrive while waiting for a reply are kept
/// for `waitForSignal`.
public final class DBusConnection {
    public let address: DBusAddress
    /// The name the bus daemon gave us (Hello), nil on a direct peer connection such as /run/systemd/private.
    public private(set) var uniqueName: String?
    let fd: Int32
    private var nextSerial: UInt32 = 1
    private var received: [UInt8] = []
    private var chunk = [UInt8](repeating: 0, count: 65536)
    private var pendingSignals: [DBusMessage] = []
    /// Signals beyond this many unread ones are dropped, so a chatty bus cannot grow memory without bound.
    static let maximumPendingSignals = 1024

    private init(address: DBusAddress, fd: Int32) {
        self.address = address
        self.fd = fd
    }

    deinit {
        Files.close(fd)
    }

    /// Connects, authenticates as our uid and, on a message bus (`hello`), registers with Hello.
    public static func open(_ address: DBusAddress, hello: Bool, timeoutMilliseconds: Int) throws(DBusError) -> DBusConnection {
        // Replies are waited for with poll(); the send timeout bounds a peer that stops reading.
        let fd: Int32
        do { fd = try UnixSocket.connect(address.socket, sendTimeoutMilliseconds: timeoutMilliseconds) } catch {
            throw DBusError(error, address: address)
        }
        let connection = DBusConnection(address: address, fd: fd)
        let deadline = MonotonicClock.milliseconds() + max(0, timeoutMilliseconds)
        try connection.authenticate(deadline: deadline)
        if hello {
            let reply = try connection.call(.methodCall(serial: 0, destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
                                                        interface: "org.freedesktop.DBus", member: "Hello"),
                                            timeoutMilliseconds: max(1, deadline - MonotonicClock.milliseconds()))
            connection.uniqueName = reply.body.first?.stringValue
        }
        return connection
    }

    /// SASL EXTERNAL: the server checks our uid from SO_PEERCRED against the one we name (as hex of its
    /// decimal digits, e.g. uid 0 → "30").
    private func authenticate(deadline: Int) throws(DBusError) {
        let uid = String(ProcessIdentity.realUID)
        let hex = uid.utf8.map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0xf)]], as: UTF8.self)
        }.joined()
        try send(Array("\0AUTH EXTERNAL \(hex)\r\n".utf8))
        let answer = try readLine(deadline: deadline)
        guard answer.hasPrefix("OK ") else {
            throw .malformed("authentication as uid \(uid) refused: \"\(answer)\"")
        }
        try send(Array("BEGIN\r\n".utf8))
    }

    private func readLine(deadline: Int) throws(DBusError) -> String {
        while true {
            if let newline = received.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(received[..<newline])
                received.removeSubrange(...newline)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            guard received.count < 16384 else { throw .malformed("authentication line longer than 16 KiB") }
            try fill(deadline: deadline, waitingFor: "the authentication answer")
        }
    }

    /// Sends `message` with the next serial; returns the serial used.
    @discardableResult
    public func send(_ message: DBusMessage) throws(DBusError) -> UInt32 {
        var message = message
        message.serial = nextSerial
        nextSerial = nextSerial == UInt32.max ? 1 : nextSerial + 1
        try send(try message.encoded())
        return message.serial
    }

    /// Calls a method and waits for its return. An error reply is thrown as `.remote(name, message)`.
    public func call(_ message: DBusMessage, timeoutMilliseconds: Int) throws(DBusError) -> DBusMessage {
        let deadline = MonotonicClock.milliseconds() + max(0, timeoutMilliseconds)
        let serial = try send(message)
        let what = "the reply to \(message.member ?? "a call")"
        while true {
            let next = try readMessage(deadline: deadline, waitingFor: what)
            switch next.kind {
            case .methodReturn where next.replySerial == serial:
                return next
            case .error where next.replySerial == serial:
                throw .remote(name: next.errorName ?? "", message: next.errorMessage)
            case .signal:
                keep(next)
            default:
                continue  // replies to calls we no longer wait for, calls addressed to us: not ours to answer.
            }
        }
    }

    /// Waits until a signal for which `matches` is true arrives (or was already received).
    public func waitForSignal(timeoutMilliseconds: Int, what: String, matches: (DBusMessage) -> Bool) throws(DBusError) -> DBusMessage {
        if let index = pendingSignals.firstIndex(where: matches) { return pendingSignals.remove(at: index) }
        let deadline = MonotonicClock.milliseconds() + max(0, timeoutMilliseconds)
        while true {
            let next = try readMessage(deadline: deadline, waitingFor: what)
            guard next.kind == .signal else { continue }
            if matches(next) { return next }
            keep(next)
        }
    }

    private func keep(_ signal: DBusMessage) {
        if pendingSignals.count < Self.maximumPendingSignals { pendingSignals.append(signal) }
    }

    private func readMessage(deadline: Int, waitingFor what: String) throws(DBusError) -> DBusMessage {
        while true {
            if received.count >= 16 {
                let total = try DBusMessage.totalLength(ofHeader: received[0..<16])
                if received.count >= total {
                    let bytes = Array(received[0..<total])
                    received.removeSubrange(0..<total)
                    return try DBusMessage.decode(bytes)
                }
            }
            try fill(deadline: deadline, waitingFor: what)
        }
    }

    /// Reads what the socket has, waiting for it until the deadline.
    private func fill(deadline: Int, waitingFor what: String) throws(DBusError) {
        while true {
            let remaining = deadline - MonotonicClock.milliseconds()
            if remaining <= 0 { throw .timeout(what + " on " + address.displayName) }
            let count: Int?
            do {
                guard try UnixSocket.waitReadable(fd, timeoutMilliseconds: remaining) else { continue }
                count = try UnixSocket.receive(fd, into: &chunk)
            } catch {
                throw DBusError(error, address: address)
            }
            guard let count else { continue }
            if count == 0 { throw .syscall(call: "recv", address: address.displayName, errno: ECONNRESET) }
            received.append(contentsOf: chunk[0..<count])
            return
        }
    }

    private func send(_ bytes: [UInt8]) throws(DBusError) {
        do { try UnixSocket.send(fd, bytes) } catch { throw DBusError(error, address: address) }
    }
}
