#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Raw mode on a terminal taurun itself reads (its own stdin while it relays a container's pty), so keys — Ctrl-C
/// included — pass through unchanged; keeps the settings it found to put back.
public struct RawTerminalMode {
    public let fd: Int32
    private let saved: termios

    /// Puts `fd` in raw mode; nil when it is not a terminal or its settings cannot be read (nothing changed then).
    public static func enter(_ fd: Int32) -> RawTerminalMode? {
        guard isatty(fd) == 1 else { return nil }
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { return nil }
        var raw = saved
        cfmakeraw(&raw)
        _ = tcsetattr(fd, TCSANOW, &raw)
        return RawTerminalMode(fd: fd, saved: saved)
    }

    /// Puts back the settings found by `enter`.
    public func restore() {
        var settings = saved
        _ = tcsetattr(fd, TCSANOW, &settings)
    }
}
