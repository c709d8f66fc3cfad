#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Waiting on the fd from CgroupManager.openOOMNotifier(), for the `events` loop (which runs in its own process).
public enum OOMNotifier {
    /// Waits up to `timeoutMilliseconds` (-1: no limit) for the notifier and consumes what it reported, so the
    /// next call waits for a new event. Returns false on timeout or when a signal interrupted the wait (the
    /// caller's loop handles the signal). A v1 eventfd also fires when the cgroup is removed: compare
    /// oomKillCount() to tell an OOM kill from the end of the container.
    public static func wait(_ fd: Int32, timeoutMilliseconds: Int32) throws(CgroupError) -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, timeoutMilliseconds)
        if ready < 0 {
            if errno == EINTR { return false }
            throw .syscall("poll", "oom notifier fd \(fd)", errno: errno)
        }
        guard ready > 0 else { return false }
        // An eventfd read returns its 8-byte counter; an inotify read returns whole events. One page holds either.
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0, errno != EAGAIN, errno != EINTR {
            throw .syscall("read", "oom notifier fd \(fd)", errno: errno)
        }
        return true
    }
}
