import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// A process pinned by a pidfd (Linux 5.3+): signals reach exactly that process even after its pid is reused.
public struct Pidfd {
    public let fd: Int32

    /// nil when the process is gone or the kernel has no pidfd_open (errno says which).
    public init?(pid: pid_t) {
        let fd = tr_pidfd_open(pid, 0)
        guard fd >= 0 else { return nil }
        self.fd = fd
    }

    /// A pidfd the caller already holds (and keeps owning).
    public init(fd: Int32) { self.fd = fd }

    @discardableResult
    public func signal(_ signal: Int32) -> Bool { tr_pidfd_send_signal(fd, signal) == 0 }

    /// Waits until the process exits (the pidfd turns readable), at most `timeoutMilliseconds`; after a signal it
    /// waits on for the time left. .exited, .timedOut, or .unsupported when poll(2) fails.
    @discardableResult
    public func awaitExit(timeoutMilliseconds: Int) -> Processes.ExitWait {
        Processes.awaitReadable(pidfd: fd, timeoutMilliseconds: timeoutMilliseconds)
    }

    public func close() { Glibc.close(fd) }
}
