import TaurunLinux
import TaurunOCI

#if canImport(Glibc)
import Glibc
#endif

extension Runtime {
    /// Forwardable signals: everything but those the runtime needs itself (CHLD) or cannot catch (KILL, STOP).
    static let forwarded: [Int32] = (1...31).filter { ![SIGKILL, SIGSTOP, SIGCHLD].contains($0) }

    /// `run` in the foreground: wait for the container process, forwarding every signal taurun receives, and
    /// return its exit code (128+N when killed by signal N).
    public func waitForeground(_ container: CreatedContainer) -> Int32 {
        for sig in Self.forwarded { Signals.record(sig) }
        let code = container.ptyMaster >= 0
            ? ConsoleProxy(master: container.ptyMaster, child: container.pid).run() : waitForExit(of: container)
        if container.monitorPid > 0 {
            // The monitor ends with the container; reap it, then say why it ended the app, if it did.
            _ = try? Processes.wait(container.monitorPid)
            if let line = try? Files.readString(store.violationFile(of: container.id)), !line.isEmpty {
                writeStderr("taurun: " + line + (line.hasSuffix("\n") ? "" : "\n"))
                return code == 0 ? 1 : code
            }
        }
        return code
    }

    private func waitForExit(of container: CreatedContainer) -> Int32 {
        var status: Int32 = 0
        while true {
            let r = waitpid(container.pid, &status, 0)
            if r == container.pid { break }
            if r < 0 && errno == EINTR {
                while let sig = Signals.takePending() {
                    Glibc.kill(container.pid, sig)
                }
                continue
            }
            if r < 0 { return 255 }
        }
        return Processes.exitCode(fromWaitStatus: status)
    }
}

/// `run` with a terminal and no console socket: taurun holds the pty master and copies between it and its own
/// stdin/stdout (stdin in raw mode when it is a terminal), passes window-size changes on, and forwards signals.
struct ConsoleProxy {
    let master: Int32
    let child: pid_t

    func run() -> Int32 {
        var saved = termios()
        let isTTY = isatty(0) == 1 && tcgetattr(0, &saved) == 0
        if isTTY {
            var raw = saved
            cfmakeraw(&raw)
            tcsetattr(0, TCSANOW, &raw)
            copyWindowSize()
        }
        defer { if isTTY { var s = saved; tcsetattr(0, TCSANOW, &s) } }
        var stdinOpen = true
        var buffer = [UInt8](repeating: 0, count: 16384)
        var status: Int32 = 0
        while true {
            var fds = [pollfd(fd: master, events: Int16(POLLIN), revents: 0), pollfd(fd: stdinOpen ? 0 : -1, events: Int16(POLLIN), revents: 0)]
            let r = poll(&fds, 2, 100)
            while let sig = Signals.takePending() {
                if sig == SIGWINCH { copyWindowSize() } else { Glibc.kill(child, sig) }
            }
            if r > 0 && fds[0].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
                if n > 0 { _ = buffer.withUnsafeBytes { write(1, $0.baseAddress, n) } }
            }
            if r > 0 && stdinOpen && fds[1].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                if n > 0 { _ = buffer.withUnsafeBytes { write(master, $0.baseAddress, n) } } else { stdinOpen = false }
            }
            if waitpid(child, &status, WNOHANG) == child { break }
        }
        // Drain what the container wrote before it exited.
        while true {
            var pfd = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 0) > 0 else { break }
            let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            _ = buffer.withUnsafeBytes { write(1, $0.baseAddress, n) }
        }
        close(master)
        return Processes.exitCode(fromWaitStatus: status)
    }

    private func copyWindowSize() {
        Terminal.copyWindowSize(from: 0, to: master)
    }
}
