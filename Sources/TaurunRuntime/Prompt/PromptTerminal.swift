import TaurunLinux

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
        guard let tty = try? ControllingTerminal.open() else { return nil }
        tty.close()
        guard let (channel, monitorEnd) = try? UnixSocket.seqpacketPair() else { return nil }
        return PromptTerminal(channel: channel, monitorEnd: monitorEnd)
    }

    /// Reads one question from the channel (it is readable), asks it on the terminal, and sends the answer back.
    /// Returns false when the monitor has gone (the channel hung up).
    public func serve() -> Bool {
        var buffer = [UInt8](repeating: 0, count: PromptProtocol.maxLine)
        let received: Int?
        do { received = try UnixSocket.receive(channel, into: &buffer) } catch { return false }
        guard let n = received else { return true }
        if n == 0 { return false }
        var line = Array(buffer[0..<n])
        if line.last == 0x0A { line.removeLast() }
        guard let request = PromptProtocol.request(from: line) else { return true }
        guard let answer = ask(request) else { return true }
        try? UnixSocket.send(channel, PromptProtocol.line(PromptReply(id: request.id, answer: answer)))
        return true
    }

    /// The question on /dev/tty in canonical mode with echo (restored afterwards: `run` may have made it raw), one
    /// line back; asked again on a line that is not an answer, until the request's time-out. nil: no answer.
    func ask(_ request: PromptRequest) -> PromptAnswer? {
        guard let tty = try? ControllingTerminal.open() else { return nil }
        defer { tty.close() }
        return tty.inLineMode {
            tty.discardTypedInput()
            tty.write("\ntaurun: " + Self.printable(request.question)
                + "\n  a = allow once, A = allow always, d = deny once (default), D = deny always [a/A/d/D]: ")
            let deadline = PromptClock.milliseconds() + request.timeoutMs
            var line: [UInt8] = []
            while true {
                let left = deadline - PromptClock.milliseconds()
                if left <= 0 {
                    tty.write("\ntaurun: no answer: denied once\n")
                    return nil
                }
                switch tty.readByte(waitingAtMost: min(left, 200)) {
                case .nothingYet: continue
                case .closed: return nil
                case .byte(let byte) where byte != 0x0A:
                    if line.count < 64 { line.append(byte) }
                case .byte:
                    let text = String(decoding: line, as: UTF8.self).trimmingSpaces()
                    line = []
                    if let answer = PromptAnswer(typed: text) { return answer }
                    tty.write("  a, A, d or D: ")
                }
            }
        }
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
