import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A client's AF_UNIX stream socket: connect by path or abstract name, wait for input with a timeout, receive,
/// send all of a buffer. Blocking calls only (the create path has no event loop); the D-Bus client and the
/// console and seccomp-listener sockets use it.
public enum UnixSocket {
    public enum Address: Equatable, Sendable {
        case path(String)
        /// A name in the abstract namespace (no file), given without its leading NUL.
        case abstract(String)

        /// For messages: the path, or the abstract name with a leading "@".
        public var displayName: String {
            switch self {
            case .path(let path): path
            case .abstract(let name): "@" + name
            }
        }
    }

    /// A connected SOCK_STREAM socket (close-on-exec). `sendTimeoutMilliseconds` bounds a send to a peer that stops
    /// reading (SO_SNDTIMEO; best effort). Errors name the call and the address.
    public static func connect(_ address: Address, sendTimeoutMilliseconds: Int? = nil) throws(SyscallError) -> Int32 {
        let fd = try sys("socket", address.displayName) { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        if let timeout = sendTimeoutMilliseconds {
            var sendTimeout = timeval(tv_sec: timeout / 1000, tv_usec: (timeout % 1000) * 1000)
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
        }
        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        let pathBytes: [UInt8]
        switch address {
        case .path(let path): pathBytes = Array(path.utf8) + [0]
        case .abstract(let name): pathBytes = [0] + Array(name.utf8)
        }
        guard pathBytes.count <= MemoryLayout.size(ofValue: storage.sun_path) else {
            close(fd)
            throw SyscallError("connect", address.displayName, errno: .fileNameTooLong)
        }
        withUnsafeMutableBytes(of: &storage.sun_path) { raw in
            for (index, byte) in pathBytes.enumerated() { raw[index] = byte }
        }
        // An abstract name's length is exact (no terminating NUL); a path's includes the NUL.
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2) + socklen_t(pathBytes.count)
        let result = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
        }
        if result != 0 {
            let error = SyscallError("connect", address.displayName)
            close(fd)
            throw error
        }
        return fd
    }

    /// A connected pair of SOCK_STREAM sockets (close-on-exec).
    public static func streamPair() throws(SyscallError) -> (Int32, Int32) {
        try pair(Int32(SOCK_STREAM.rawValue))
    }

    /// A connected pair of SOCK_SEQPACKET sockets (close-on-exec): each send arrives as one message, whole.
    public static func seqpacketPair() throws(SyscallError) -> (Int32, Int32) {
        try pair(Int32(SOCK_SEQPACKET.rawValue))
    }

    private static func pair(_ type: Int32) throws(SyscallError) -> (Int32, Int32) {
        var ends: [Int32] = [-1, -1]
        _ = try sys("socketpair") { socketpair(AF_UNIX, type | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) }
        return (ends[0], ends[1])
    }

    /// Waits up to `timeoutMilliseconds` for `fd` to be readable: false when the time ran out or a signal came
    /// first (the caller checks its deadline and waits again).
    public static func waitReadable(_ fd: Int32, timeoutMilliseconds: Int) throws(SyscallError) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(clamping: timeoutMilliseconds))
        if ready < 0 {
            if errno == EINTR { return false }
            throw SyscallError("poll")
        }
        return ready > 0
    }

    /// One recv(2) into `buffer`: the byte count, 0 when the peer closed, nil when interrupted (EINTR, EAGAIN).
    public static func receive(_ fd: Int32, into buffer: inout [UInt8]) throws(SyscallError) -> Int? {
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count < 0 {
            if errno == EINTR || errno == EAGAIN { return nil }
            throw SyscallError("recv")
        }
        return count
    }

    /// Sends all of `bytes` (on a SOCK_SEQPACKET socket: one message, in one send). MSG_NOSIGNAL: a peer that went
    /// away is an error to report, not a SIGPIPE that kills taurun. `call` names the send in errors.
    public static func send(_ fd: Int32, _ bytes: [UInt8], call: String = "send") throws(SyscallError) {
        var offset = 0
        while offset < bytes.count {
            let written = try sys(call) {
                bytes.withUnsafeBytes { raw in
                    Glibc.send(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset, Int32(MSG_NOSIGNAL))
                }
            }
            offset += written
        }
    }
}
