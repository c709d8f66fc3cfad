import TaurunLinux

#if canImport(Glibc)
import Glibc
#endif

/// `taurun run`'s side of terminal prompts (docs/prompts.md). `run` in the foreground with a controlling terminal
/// makes a SOCK_SEQPACKET pair: the security monitor gets one end (CreateOptions.promptChannel) and sends its
/// questions there, as protocol lines; `run` keeps the other and, while it waits for the container, answers each
/// from its own terminal, opened as /dev/tty, never from the container's stdin. Both ends are close-on-exec, and the
/// app never holds either: it can neither send a question nor an answer.
///
/// While a question is on the terminal, `run` relays nothing: with its own pty (process.terminal) the app's output
/// waits and its input is not read. Input typed before the question appeared is discarded (TCIFLUSH), so nothing
/// queued earlier counts as an answer.
public struct PromptTerminal {
    /// `run`'s end.
    public let channel: Int32
    /// The monitor's end, for CreateOptions.promptChannel; `run` closes it once the container is created.
    public let monitorEnd: Int32

    /// nil when this process has no controlling terminal (then the monitor asks the agent).
    public static func open() -> PromptTerminal? {
        let tty = Glibc.open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard tty >= 0 else { return nil }
        Glibc.close(tty)
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else { return nil }
        return PromptTerminal(channel: pair[0], monitorEnd: pair[1])
    }

    /// Reads one question from the channel (it is readable), asks it on the terminal, and sends the answer back.
    /// Returns false when the monitor has gone (the channel hung up).
    public func serve() -> Bool {
        var buffer = [UInt8](repeating: 0, count: PromptProtocol.maxLine)
        let n = read(channel, &buffer, buffer.count)
        if n < 0 { return errno == EINTR || errno == EAGAIN }
        if n == 0 { return false }
        var line = Array(buffer[0..<n])
        if line.last == 0x0A { line.removeLast() }
        guard let request = PromptProtocol.request(from: line) else { return true }
        guard let answer = ask(request) else { return true }
        _ = PromptExchange.sendAll(channel, PromptProtocol.line(PromptReply(id: request.id, answer: answer)))
        return true
    }

    /// The question on /dev/tty in canonical mode with echo (restored afterwards: `run` may have made it raw), one
    /// line back; asked again on a line that is not an answer, until the request's time-out. nil: no answer.
    func ask(_ request: PromptRequest) -> PromptAnswer? {
        let tty = Glibc.open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard tty >= 0 else { return nil }
        defer { Glibc.close(tty) }
        var saved = termios()
        let haveSaved = tcgetattr(tty, &saved) == 0
        if haveSaved {
            var cooked = saved
            cooked.c_lflag |= tcflag_t(ICANON | ECHO | ECHONL)
            cooked.c_iflag |= tcflag_t(ICRNL)
            cooked.c_oflag |= tcflag_t(OPOST | ONLCR)
            _ = tcsetattr(tty, TCSANOW, &cooked)
        }
        defer { if haveSaved { _ = tcsetattr(tty, TCSANOW, &saved) } }
        _ = tcflush(tty, TCIFLUSH)
        let question = "\ntaurun: " + Self.printable(request.question)
            + "\n  a = allow once, A = allow always, d = deny once (default), D = deny always [a/A/d/D]: "
        _ = writeAll(tty, question)
        let deadline = PromptClock.milliseconds() + request.timeoutMs
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let left = deadline - PromptClock.milliseconds()
            if left <= 0 {
                _ = writeAll(tty, "\ntaurun: no answer: denied once\n")
                return nil
            }
            var pfd = pollfd(fd: tty, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(min(left, 200)))
            if ready <= 0 { continue }
            let got = read(tty, &byte, 1)
            if got < 0 && errno == EINTR { continue }
            if got <= 0 { return nil }
            if byte != 0x0A {
                if line.count < 64 { line.append(byte) }
                continue
            }
            let text = String(decoding: line, as: UTF8.self).trimmingSpaces()
            line = []
            if let answer = PromptAnswer(typed: text) { return answer }
            _ = writeAll(tty, "  a, A, d or D: ")
        }
    }

    private func writeAll(_ fd: Int32, _ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// The question without control characters: its app id and call come from the bundle and the app, and must not
    /// move the cursor or rewrite what the user reads.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) ? "?" : $0 }))
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while scalars.first == " " || scalars.first == "\t" || scalars.first == "\r" { scalars.removeFirst() }
        while scalars.last == " " || scalars.last == "\t" || scalars.last == "\r" { scalars.removeLast() }
        return String(scalars)
    }
}
