import TaurunLinux
import TaurunSeccomp

#if canImport(Glibc)
import Glibc
#endif

/// The container's root directory, where the monitor of an app with asked devices resolves the path of each open
/// (DeviceOpen). Opened once, from the first caller it resolves an open for, and kept: every process of the app has
/// that root (none can chroot or unshare its mount namespace). Not from the init when the monitor starts: the init
/// has not exec'd the app yet and is not dumpable, so a rootless monitor (the user, owner of the app's user
/// namespace) may not open its /proc/<pid>/root until it has.
final class ContainerRoot {
    private var fd: Int32 = -1

    /// The root's descriptor, or -1 when it cannot be opened from `call`'s process (gone, or its pid reused
    /// meanwhile: the call must still be pending after the open for the root to be the app's).
    func descriptor(for call: SeccompNotification, channel: SeccompNotifyChannel) -> Int32 {
        if fd >= 0 { return fd }
        guard let opened = try? Files.open("/proc/\(call.pid)/root", Files.pathOnly | O_DIRECTORY) else { return -1 }
        guard channel.isPending(call) else {
            Files.close(opened)
            return -1
        }
        fd = opened
        return fd
    }
}
