#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One read(2) (or pread(2)) from a descriptor that is not a file to read to its end: a pty master, a terminal, an
/// eventfd, a pipe, a log file read back from its start.
public enum DescriptorRead {
    /// Reads what is there into `buffer`: the byte count (0: end of file), nil when a signal came first (EINTR);
    /// other errors throw (EIO on a pty master: every slave is closed). `offset`, when given, reads from there without moving the file position (pread(2)).
    public static func some(_ fd: Int32, into buffer: inout [UInt8], offset: Int? = nil) throws(SyscallError) -> Int? {
        let count = buffer.withUnsafeMutableBytes { raw in
            if let offset { return pread(fd, raw.baseAddress, raw.count, off_t(offset)) }
            return read(fd, raw.baseAddress, raw.count)
        }
        if count < 0 {
            if errno == EINTR { return nil }
            throw SyscallError(offset == nil ? "read" : "pread")
        }
        return count
    }
}
