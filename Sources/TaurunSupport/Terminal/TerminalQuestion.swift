#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A question put to the person at this process's terminal (convert's consent, uninstall's confirmation): the
/// question on stderr, the answer one line from stdin. For modules that may not import TaurunLinux; the runtime's
/// own terminal work (ptys, raw mode) is TaurunLinux's.
public enum TerminalQuestion {
    /// Whether stdin and stderr are both terminals (isatty(3)): only then is someone there to answer.
    public static var canAsk: Bool { isatty(0) == 1 && isatty(2) == 1 }

    /// Writes `question` to stderr (one write, its result ignored: the answer is read either way), then reads one
    /// line from stdin a byte at a time, so nothing after its newline is taken from stdin. Returns the line without
    /// the newline, only its first `keeping` bytes kept; a line ended by end of input (or a read error) counts as
    /// one; nil when input ends before any byte.
    public static func ask(_ question: String, keeping limit: Int) -> [UInt8]? {
        _ = write(2, question, question.utf8.count)
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = read(0, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return line.isEmpty ? nil : line }
            if byte == UInt8(ascii: "\n") { return line }
            if line.count < limit { line.append(byte) }
        }
    }
}
