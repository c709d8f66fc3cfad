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
    private var pendingSignals: [DBusMessage] = []
    /// Signals beyond this many unread ones are dropped, so a chatty bus cannot grow memory without bound.
    static let maximumPendingSignals = 1024

    private init(address: DBusAddress, fd: Int32) {
        self.address = address
        self.fd = fd
    }

    deinit {
        close(fd)
    }

    /// Connects, authenticates as our uid and, on a message bus (`hello`), registers with Hello.
    public static func open(_ address: DBusAddress, hello: Bool, timeoutMilliseconds: Int) throws(DBusError) -> DBusConnection {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw .syscall(call: "socket", address: address.displayName, errno: errno) }
        let connection = DBusConnection(address: address, fd: fd)
        // Replies are waited for with poll(); the send timeout bounds a peer that stops reading.
        var sendTimeout = timeval(tv_sec: timeoutMilliseconds / 1000, tv_usec: (timeoutMilliseconds % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
        try connection.connectSocket()
        let deadline = CgroupFiles.nowMilliseconds() + max(0, timeoutMilliseconds)
        try connection.authenticate(deadline: deadline)
        if hello {
            let reply = try connection.call(.methodCall(serial: 0, destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
                                                        interface: "org.freedesktop.DBus", member: "Hello"),
                                            timeoutMilliseconds: max(1, deadline - CgroupFiles.nowMilliseconds()))
            connection.uniqueName = reply.body.first?.stringValue
        }
        return connection
    }

    private func connectSocket() throws(DBusError) {
        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: storage.sun_path)
        var pathBytes: [UInt8]
        switch address.socket {
        case .path(let path): pathBytes = Array(path.utf8) + [0]
        case .abstract(let name): pathBytes = [0] + Array(name.utf8)
        }
        guard pathBytes.count <= capacity else {
            throw .syscall(call: "connect", address: address.displayName, errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &storage.sun_path) { raw in
            for (index, byte) in pathBytes.enumerated() { raw[index] = byte }
        }
        // An abstract name's length is exact (no terminating NUL); a path's includes the NUL.
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2) + socklen_t(pathBytes.count)
        let result = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
        }
        if result != 0 { throw .syscall(call: "connect", address: address.displayName, errno: errno) }
    }

    /// SASL EXTERNAL: the server checks our uid from SO_PEERCRED against the one we name (as hex of its
    /// decimal digits, e.g. uid 0 → "30").
    private func authenticate(deadline: Int) throws(DBusError) {
        let uid = String(getuid())
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
        let deadline = CgroupFiles.nowMilliseconds() + max(0, timeoutMilliseconds)
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
        let deadline = CgroupFiles.nowMilliseconds() + max(0, timeoutMilliseconds)
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
            let remaining = deadline - CgroupFiles.nowMilliseconds()
            if remaining <= 0 { throw .timeout(what + " on " + address.displayName) }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(remaining, Int(Int32.max))))
            if ready < 0 {
                if errno == EINTR { continue }
                throw .syscall(call: "poll", address: address.displayName, errno: errno)
            }
            if ready == 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw .syscall(call: "recv", address: address.displayName, errno: errno)
            }
            if count == 0 { throw .syscall(call: "recv", address: address.displayName, errno: ECONNRESET) }
            received.append(contentsOf: chunk[0..<count])
            return
        }
    }

    private func send(_ bytes: [UInt8]) throws(DBusError) {
        var offset = 0
        while offset < bytes.count {
            // MSG_NOSIGNAL: a peer that went away is an error to report, not a SIGPIPE that kills taurun.
            let written = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw .syscall(call: "send", address: address.displayName, errno: errno)
            }
            offset += written
        }
    }
}
