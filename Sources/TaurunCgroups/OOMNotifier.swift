import TaurunLinux

/// Waiting on the fd from CgroupManager.openOOMNotifier(), for the `events` loop (which runs in its own process).
public enum OOMNotifier {
    /// Waits up to `timeoutMilliseconds` (-1: no limit) for the notifier and consumes what it reported, so the
    /// next call waits for a new event. Returns false on timeout or when a signal interrupted the wait (the
    /// caller's loop handles the signal). A v1 eventfd also fires when the cgroup is removed: compare
    /// oomKillCount() to tell an OOM kill from the end of the container.
    public static func wait(_ fd: Int32, timeoutMilliseconds: Int32) throws(CgroupError) -> Bool {
        let ready: [Readiness.State]?
        do { ready = try Readiness.wait([fd], timeoutMilliseconds: Int(timeoutMilliseconds)) } catch {
            throw .syscall("poll", "oom notifier fd \(fd)", errno: error.errno.rawValue)
        }
        guard let ready, ready[0] != .quiet else { return false }
        // An eventfd read returns its 8-byte counter; an inotify read returns whole events. One page holds either.
        var buffer = [UInt8](repeating: 0, count: 4096)
        do { _ = try DescriptorRead.some(fd, into: &buffer) } catch where error.errno != .resourceTemporarilyUnavailable {
            throw .syscall("read", "oom notifier fd \(fd)", errno: error.errno.rawValue)
        } catch {}
        return true
    }
}
