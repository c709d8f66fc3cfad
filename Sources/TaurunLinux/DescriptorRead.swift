#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One read(2) from a descriptor that is not a file to read to its end: a pty master, a terminal, an eventfd.
public enum DescriptorRead {
    /// Reads what is there into `buffer`: the byte count (0: end of file), nil when a signal came first (EINTR);
    /// other errors throw (EIO on a pty master: every slave is closed).
    public static func some(_ fd: Int32, into buffer: inout [UInt8]) throws(SyscallError) -> Int? {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { return nil }
            throw SyscallError("read")
        }
        return count
    }
}
