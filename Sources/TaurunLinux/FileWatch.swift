#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// inotify(7): a descriptor that becomes readable when a file changes, for waits that poll(2) it (Readiness) among
/// others, such as the cgroup v2 OOM notifier on memory.events.
public enum FileWatch {
    /// A new non-blocking, close-on-exec inotify descriptor watching `path` for IN_MODIFY; the caller closes it.
    /// Errors name inotify_init1 or inotify_add_watch and `path`.
    public static func modifications(of path: String) throws(SyscallError) -> Int32 {
        let fd = try sys("inotify_init1", path) { inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK)) }
        do {
            _ = try sys("inotify_add_watch", path) { inotify_add_watch(fd, path, UInt32(IN_MODIFY)) }
        } catch {
            Files.close(fd)
            throw error
        }
        return fd
    }
}
