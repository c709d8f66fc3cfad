import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// Descriptors passed over AF_UNIX sockets (SCM_RIGHTS): the pty master to the `--console-socket` receiver, and the
/// fds the init and the runtime hand each other on their sync socket.
extension UnixSocket {
    /// One message that may carry one fd (SCM_RIGHTS): the byte count (0: the peer closed) and the fd, or -1.
    public static func receiveMessage(from socket: Int32, into buffer: inout [UInt8]) throws(SyscallError) -> (count: Int, fd: Int32) {
        var fd: Int32 = -1
        let n = try sys("recvmsg") { buffer.withUnsafeMutableBytes { tr_recv_message(socket, $0.baseAddress, $0.count, &fd) } }
        return (Int(n), fd)
    }

    /// Sends `fd` in one message whose bytes are `name` (what a `--console-socket` receiver reads as its name).
    public static func sendFD(over socket: Int32, fd: Int32, name: String) throws(SyscallError) {
        _ = try sys("sendmsg(SCM_RIGHTS)") { tr_send_fd(socket, fd, name, name.utf8.count) }
    }

    /// One message of `message`'s bytes carrying `fd`, in one sendmsg(2): the seccomp listener's container process
    /// state.
    public static func sendFD(over socket: Int32, fd: Int32, message: [UInt8]) throws(SyscallError) {
        _ = try sys("sendmsg(SCM_RIGHTS)") {
            message.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { tr_send_fd(socket, fd, $0.baseAddress, $0.count) }
            }
        }
    }

    /// The fd of one message; a message without one (or the peer's close) is EBADMSG.
    public static func receiveFD(from socket: Int32) throws(SyscallError) -> Int32 {
        var buf = [CChar](repeating: 0, count: 256)
        var fd: Int32 = -1
        let n = try sys("recvmsg(SCM_RIGHTS)") { tr_recv_message(socket, &buf, buf.count, &fd) }
        guard n > 0, fd >= 0 else {
            if fd >= 0 { close(fd) }
            throw SyscallError("recvmsg(SCM_RIGHTS)", nil, errno: .badMessage)
        }
        return fd
    }
}
