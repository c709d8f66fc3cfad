import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// Pseudo-terminals and fd passing for the `--console-socket` contract.
public enum Terminal {
    /// Opens a new pty pair through `/dev/ptmx` (the container's devpts after pivot_root). Returns (master, slave).
    public static func openPair(rows: UInt16 = 0, cols: UInt16 = 0) throws(SyscallError) -> (master: Int32, slave: Int32) {
        let master = try sys("open", "/dev/ptmx") { tr_open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC, 0) }
        guard tr_unlockpt(master) == 0 else { let e = SyscallError("unlockpt"); close(master); throw e }
        var name = [CChar](repeating: 0, count: 128)
        guard tr_ptsname(master, &name, name.count) == 0 else { let e = SyscallError("ptsname"); close(master); throw e }
        let path = String(cString: name)
        let slave = tr_open(path, O_RDWR | O_NOCTTY, 0)
        guard slave >= 0 else { let e = SyscallError("open", path); close(master); throw e }
        if rows > 0 || cols > 0 { _ = tr_ioctl_set_winsize(master, rows, cols) }
        return (master, slave)
    }

    /// Makes `slave` the controlling terminal of a new session and stdin/stdout/stderr.
    public static func becomeControlling(slave: Int32) throws(SyscallError) {
        _ = try sys("setsid") { setsid() }
        _ = try sys("ioctl(TIOCSCTTY)") { tr_ioctl_set_ctty(slave) }
        for fd: Int32 in 0...2 { _ = try sys("dup2") { dup2(slave, fd) } }
        if slave > 2 { close(slave) }
    }

    /// Connects to the unix socket at `path` (the console socket of conmon / containerd).
    public static func connect(socketPath path: String) throws(SyscallError) -> Int32 {
        let fd = try sys("socket") { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            close(fd); throw SyscallError("connect", path, errno: .fileNameTooLong)
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if r < 0 { let e = SyscallError("connect", path); close(fd); throw e }
        return fd
    }

    public static func sendFD(over socket: Int32, fd: Int32, name: String) throws(SyscallError) {
        _ = try sys("sendmsg(SCM_RIGHTS)") { tr_send_fd(socket, fd, name, name.utf8.count) }
    }

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
