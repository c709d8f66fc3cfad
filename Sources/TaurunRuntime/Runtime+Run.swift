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
        let code: Int32
        if container.ptyMaster >= 0 {
            code = TerminalRelay(master: container.ptyMaster, pid: container.pid).run()
            close(container.ptyMaster)
        } else {
            code = waitForExit(of: container)
        }
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
        let forward = { while let sig = Signals.takePending() { Glibc.kill(container.pid, sig) } }
        return (try? Processes.wait(container.pid, interrupted: forward)) ?? 255
    }
}
