#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The process's controlling terminal, opened anew as /dev/tty: where a person at `taurun run` is asked something,
/// never through stdin or stdout (those may be the container's). Line-at-a-time questions with a deadline, for a
/// single-threaded caller.
public struct ControllingTerminal {
    public let fd: Int32

    /// Fails (ENXIO) when the process has no controlling terminal.
    public static func open() throws(SyscallError) -> ControllingTerminal {
        ControllingTerminal(fd: try Files.open("/dev/tty", O_RDWR | O_NOCTTY))
    }

    public func close() { _ = Glibc.close(fd) }

    /// Runs `body` with the terminal in canonical mode with echo, as a person types lines (taurun's own relay may have
    /// made it raw), and restores the mode afterwards. A terminal whose mode cannot be read is used as it is.
    public func inLineMode<T>(_ body: () -> T) -> T {
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { return body() }
        var cooked = saved
        cooked.c_lflag |= tcflag_t(ICANON | ECHO | ECHONL)
        cooked.c_iflag |= tcflag_t(ICRNL)
        cooked.c_oflag |= tcflag_t(OPOST | ONLCR)
        _ = tcsetattr(fd, TCSANOW, &cooked)
        defer { _ = tcsetattr(fd, TCSANOW, &saved) }
        return body()
    }

    /// Drops input typed but not yet read (TCIFLUSH), so nothing typed before a question counts as its answer.
    public func discardTypedInput() { _ = tcflush(fd, TCIFLUSH) }

    /// Writes all of `text`; false when the terminal went away.
    @discardableResult
    public func write(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    public enum Input: Equatable {
        case byte(UInt8)
        /// Nothing within the wait (or a signal came first): the caller checks its deadline and waits again.
        case nothingYet
        /// End of input or an error: no answer will come.
        case closed
    }

    /// One typed byte, waiting at most `milliseconds` for it.
    public func readByte(waitingAtMost milliseconds: Int) -> Input {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, Int32(clamping: milliseconds)) > 0 else { return .nothingYet }
        var byte: UInt8 = 0
        let count = Glibc.read(fd, &byte, 1)
        if count < 0 && errno == EINTR { return .nothingYet }
        return count == 1 ? .byte(byte) : .closed
    }
}
