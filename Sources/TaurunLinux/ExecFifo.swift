#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The exec fifo between `create` and `start`: the container's init holds it open read-write and blocks reading it;
/// `start` writes one byte, which lets the init exec the program.
public enum ExecFifo {
    /// Makes the fifo (0600) and opens it read-write for the init: its read then blocks until `release` writes,
    /// and never sees EOF while it holds a writer itself.
    public static func create(_ path: String) throws(SyscallError) -> Int32 {
        _ = try sys("mkfifo", path) { mkfifo(path, 0o600) }
        return try Files.open(path, O_RDWR)
    }

    /// In the init: blocks until `release` wrote its byte into `fd` (the fifo `create` opened); false when the read
    /// fails.
    public static func awaitRelease(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        while true {
            let n = read(fd, &byte, 1)
            if n == 1 { return true }
            if n < 0 && errno == EINTR { continue }
            return false
        }
    }

    /// Writes the byte that releases the init; false when nobody reads the fifo (ENXIO) or it is gone (ENOENT):
    /// the container process has ended.
    public static func release(_ path: String) throws(SyscallError) -> Bool {
        let fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            if errno == ENXIO || errno == ENOENT { return false }
            throw SyscallError("open", path)
        }
        defer { close(fd) }
        var one: UInt8 = 0x30
        if write(fd, &one, 1) != 1 { throw SyscallError("write", path) }
        return true
    }

    /// Until the container process has exec'd (or is gone). It holds the exec fifo close-on-exec (the trampoline
    /// closes it just before its execve of the program), so "exec'd" is "the fifo's last writer is gone": a reader
    /// gets POLLHUP then, but only if a writer opened after it did, hence the second, momentary writer.
    /// No polling of /proc/<pid>/exe: that names a memfd from before `start` on, whichever way the init waits.
    public static func awaitExec(_ path: String) {
        let reader = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard reader >= 0 else { return }
        defer { close(reader) }
        let writer = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        guard writer >= 0 else { return }
        close(writer)
        var watch = pollfd(fd: reader, events: 0, revents: 0)
        while poll(&watch, 1, -1) < 0 && errno == EINTR {}
    }
}
