import CLinux
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

/// Pseudo-terminals for the `--console-socket` contract (the master goes to the receiver through
/// UnixSocket.sendFD).
public enum Terminal {
    /// Opens a new pty pair on the devpts of the current mount namespace (the container's, after pivot_root). The
    /// container owns every path under /dev, so nothing is trusted by name: the multiplexer is opened without
    /// following any link (/dev/pts/ptmx, else /dev/ptmx) and must be the 5:2 device on a devpts or tmpfs/devtmpfs
    /// node, and the slave comes from the master itself (TIOCGPTPEER), not from a path lookup. Returns (master, slave).
    public static func openPair(rows: UInt16 = 0, cols: UInt16 = 0) throws(SyscallError) -> (master: Int32, slave: Int32) {
        let master = try openMultiplexer()
        guard tr_unlockpt(master) == 0 else { let e = SyscallError("unlockpt"); close(master); throw e }
        var slave = tr_ioctl_get_pty_peer(master, O_RDWR | O_NOCTTY | O_CLOEXEC)
        if slave < 0 && (errno == EINVAL || errno == ENOTTY) {
            // Kernels before 4.13: the slave by name, still without following links, and checked to be on devpts.
            var name = [CChar](repeating: 0, count: 128)
            guard tr_ptsname(master, &name, name.count) == 0 else { let e = SyscallError("ptsname"); close(master); throw e }
            slave = tr_openat2(-100, String(cString: name), UInt64(UInt32(bitPattern: O_RDWR | O_NOCTTY | O_CLOEXEC)), 0,
                               Files.resolveNoSymlinks | Files.resolveNoMagicLinks)
        }
        guard slave >= 0 else { let e = SyscallError("ioctl(TIOCGPTPEER)"); close(master); throw e }
        guard tr_fstatfs_type(slave) == devptsMagic else {
            close(master); close(slave)
            throw SyscallError("open", "pty slave (not on devpts)", errno: .operationNotSupportedByDevice)
        }
        if rows > 0 || cols > 0 { _ = tr_ioctl_set_winsize(master, rows, cols) }
        return (master, slave)
    }

    static let devptsMagic = 0x1cd1

    private static func openMultiplexer() throws(SyscallError) -> Int32 {
        let flags = UInt64(UInt32(bitPattern: O_RDWR | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW))
        for path in ["/dev/pts/ptmx", "/dev/ptmx"] {
            let fd = tr_openat2(-100, path, flags, 0, Files.resolveNoSymlinks | Files.resolveNoMagicLinks)
            if fd < 0 { continue }
            var st = stat()
            let fsType = tr_fstatfs_type(fd)
            let onDevFS = fsType == devptsMagic || fsType == 0x01021994 /* TMPFS_MAGIC, devtmpfs too */
            if fstat(fd, &st) == 0, FileKind(mode: st.st_mode) == .characterDevice, st.st_rdev == 0x502 /* 5:2 */, onDevFS {
                return fd
            }
            close(fd)
        }
        throw SyscallError("open", "/dev/pts/ptmx (the container's pty multiplexer, without links)", errno: .operationNotSupportedByDevice)
    }

    /// Makes `slave` the controlling terminal of the calling process, which must lead a session with none yet
    /// (see Processes.newSession), and its stdin/stdout/stderr.
    public static func becomeControlling(slave: Int32) throws(SyscallError) {
        _ = try sys("ioctl(TIOCSCTTY)") { tr_ioctl_set_ctty(slave) }
        try useAsStdio(slave: slave)
    }

    /// Makes `slave` stdin/stdout/stderr only (the process that will lead the session takes it as its controlling
    /// terminal itself).
    public static func useAsStdio(slave: Int32) throws(SyscallError) {
        for fd: Int32 in 0...2 { try Files.duplicate(slave, onto: fd) }
        if slave > 2 { close(slave) }
    }

    /// Gives `to` (a pty master) the window size of the terminal `from`, when `from` is one.
    public static func copyWindowSize(from: Int32, to: Int32) {
        var rows: UInt16 = 0, cols: UInt16 = 0
        if tr_ioctl_get_winsize(from, &rows, &cols) == 0 { _ = tr_ioctl_set_winsize(to, rows, cols) }
    }
}
