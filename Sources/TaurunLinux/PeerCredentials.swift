#if canImport(Glibc)
import Glibc
#endif

/// Who is at the other end of a connected AF_UNIX socket, as the kernel recorded it (SO_PEERCRED: the peer's
/// credentials when it called connect() or listen(), not anything the peer says about itself).
public struct PeerCredentials: Equatable, Sendable {
    public let pid: Int32
    public let uid: UInt32
    public let gid: UInt32

    public init(socket fd: Int32) throws(SyscallError) {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; } (Glibc hides the type behind _GNU_SOURCE).
        var cred: (pid: Int32, uid: UInt32, gid: UInt32) = (0, 0, 0)
        var length = socklen_t(MemoryLayout<(Int32, UInt32, UInt32)>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) == 0, length == 12 else {
            throw SyscallError("getsockopt(SO_PEERCRED)")
        }
        pid = cred.pid
        uid = cred.uid
        gid = cred.gid
    }
}
