import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// A user namespace with given id maps, held only as an fd: what an id-mapped mount (MOUNT_ATTR_IDMAP) needs. No
/// process stays in it: a child is cloned into a new user namespace, its maps are written, the namespace is opened
/// through /proc, and the child ends (the fd keeps the namespace alive). The mounts it maps must be set up by a
/// process privileged over it, which the caller (who created it) is.
public enum MappedUserNamespace {
    /// `uidMap`/`gidMap`: the uid_map/gid_map text ("inside outside count" lines). Returns a close-on-exec fd.
    public static func open(uidMap: String, gidMap: String) throws(SyscallError) -> Int32 {
        var pipe: [Int32] = [-1, -1]
        guard tr_pipe_cloexec(&pipe) == 0 else { throw SyscallError("pipe") }
        let pid: pid_t
        do { pid = try Namespaces.clone(flags: NamespaceKind.user.cloneFlag) } catch {
            close(pipe[0]); close(pipe[1]); throw error
        }
        if pid == 0 {
            // The child: only waits, until the parent lets go of the pipe (or dies: the same EOF).
            close(pipe[1])
            var byte: UInt8 = 0
            while read(pipe[0], &byte, 1) < 0 && errno == EINTR {}
            _exit(0)
        }
        close(pipe[0])
        defer {
            close(pipe[1])
            _ = try? Processes.wait(pid)
        }
        try Files.writeValue("/proc/\(pid)/uid_map", uidMap)
        // Writing gid_map as the namespace's creator with CAP_SETGID in the parent namespace needs no setgroups deny.
        try Files.writeValue("/proc/\(pid)/gid_map", gidMap)
        return try Files.open("/proc/\(pid)/ns/user", O_RDONLY)
    }
}
