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
        let rawMode = RawTerminalMode.enter(0)
        defer { rawMode?.restore() }
        copyWindowSize()
        for sig in Runtime.forwarded { Signals.record(sig) }
        var stdinOpen = true
        var promptsOpen = prompts != nil
        var exitCode: Int32?
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let ready: [Readiness.State]
            do {
                // Once the process is gone only its remaining output matters: poll without waiting.
                guard let polled = try Readiness.wait([master, stdinOpen ? 0 : -1, promptsOpen ? prompts?.channel ?? -1 : -1],
                                                      timeoutMilliseconds: exitCode == nil ? 200 : 0)
                else { handleSignals(); continue }
                ready = polled
            } catch { break }
            if ready[2] != .quiet, let prompts {
                // Nothing is relayed while the question is on the terminal; the pty keeps the app's output.
                promptsOpen = prompts.serve()
                continue
            }
            if ready[0] != .quiet {
                let n: Int
                do {
                    guard let count = try DescriptorRead.some(master, into: &buffer) else { continue }
                    n = count
                } catch { break }  // EIO: every slave fd is closed (the process and its children are gone).
                if n == 0 { break }
                writeAll(1, buffer, count: n)
            } else if exitCode != nil {
                break
            }
            if stdinOpen && ready[1] != .quiet {
                do {
                    // nil: a signal came first, stdin is read again on the next round.
                    if let n = try DescriptorRead.some(0, into: &buffer) {
                        if n > 0 { writeAll(master, buffer, count: n) } else { stdinOpen = false }
                    }
                } catch { stdinOpen = false }
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

    /// A write error (the reader went away) ends that direction silently, as a closed terminal does.
    private func writeAll(_ fd: Int32, _ bytes: [UInt8], count: Int) {
        try? Files.writeAll(fd: fd, Array(bytes[..<count]), path: "fd \(fd)")
    }
}
