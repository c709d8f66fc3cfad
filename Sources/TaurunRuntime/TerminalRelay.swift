import TaurunLinux

#if canImport(Glibc)
import Glibc
#endif

/// `run` and `exec --tty` in the foreground without `--console-socket` (a person at a shell, not conmon): taurun
/// itself holds the pty master, as runc does. Its own terminal goes raw, bytes are copied both ways with poll(2) —
/// one thread —, window-size changes (SIGWINCH) are copied to the pty, and other signals are forwarded to the
/// process. Runs in the `taurun run`/`exec` process, never in the container. The one relay for both.
struct TerminalRelay {
    let master: Int32
    let pid: pid_t
    /// Questions of an on_violation = "ask" app's monitor, answered on the terminal while nothing is relayed.
    var prompts: PromptTerminal? = nil

    /// Copies until the process has exited and its output is drained; returns its exit code.
    func run() -> Int32 {
        let saved = makeRaw(0)
        defer { if var saved { _ = tcsetattr(0, TCSANOW, &saved) } }
        copyWindowSize()
        for sig in Runtime.forwarded { Signals.record(sig) }
        var stdinOpen = true
        var promptsOpen = prompts != nil
        var exitCode: Int32?
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            var fds = [pollfd(fd: master, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: stdinOpen ? 0 : -1, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: promptsOpen ? prompts?.channel ?? -1 : -1, events: Int16(POLLIN), revents: 0)]
            // Once the process is gone only its remaining output matters: poll without waiting.
            let r = poll(&fds, 3, exitCode == nil ? 200 : 0)
            if r < 0 && errno == EINTR { handleSignals(); continue }
            if r < 0 { break }
            if fds[2].revents != 0, let prompts {
                // Nothing is relayed while the question is on the terminal; the pty keeps the app's output.
                promptsOpen = prompts.serve()
                continue
            }
            if fds[0].revents != 0 {
                let n = read(master, &buffer, buffer.count)
                // EIO: every slave fd is closed (the process and its children are gone).
                if n <= 0 { if n < 0 && errno == EINTR { continue }; break }
                writeAll(1, buffer, count: n)
            } else if exitCode != nil {
                break
            }
            if stdinOpen && fds[1].revents != 0 {
                let n = read(0, &buffer, buffer.count)
                if n > 0 { writeAll(master, buffer, count: n) } else if !(n < 0 && errno == EINTR) { stdinOpen = false }
            }
            if exitCode == nil, let code = try? Processes.wait(pid, options: WNOHANG) { exitCode = code }
        }
        if let exitCode { return exitCode }
        return (try? Processes.wait(pid, interrupted: handleSignals)) ?? 255
    }

    private func handleSignals() {
        while let sig = Signals.takePending() {
            if sig == SIGWINCH { copyWindowSize() } else { Processes.signalChild(pid, sig) }
        }
    }

    private func copyWindowSize() {
        Terminal.copyWindowSize(from: 0, to: master)
    }

    /// Raw mode on taurun's own terminal, so keys (Ctrl-C included) reach the container's pty unchanged. Returns
    /// the settings to restore, or nil when stdin is not a terminal.
    private func makeRaw(_ fd: Int32) -> termios? {
        guard isatty(fd) == 1 else { return nil }
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { return nil }
        var raw = saved
        cfmakeraw(&raw)
        _ = tcsetattr(fd, TCSANOW, &raw)
        return saved
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8], count: Int) {
        var offset = 0
        while offset < count {
            let n = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return write(fd, base + offset, count - offset)
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}
