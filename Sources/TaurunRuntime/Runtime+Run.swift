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
    /// `prompts`: the terminal side of an on_violation = "ask" app's questions (PromptTerminal), served meanwhile.
    public func waitForeground(_ container: CreatedContainer, prompts: PromptTerminal? = nil) -> Int32 {
        for sig in Self.forwarded { Signals.record(sig) }
        let code: Int32
        if container.ptyMaster >= 0 {
            code = TerminalRelay(master: container.ptyMaster, pid: container.pid, prompts: prompts).run()
            Files.close(container.ptyMaster)
        } else if let prompts {
            code = waitServing(prompts, for: container)
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

    /// Waits for the container process while answering its monitor's questions on the terminal: poll(2) on the
    /// prompt channel and the process's pidfd; signals are forwarded as in waitForExit.
    private func waitServing(_ prompts: PromptTerminal, for container: CreatedContainer) -> Int32 {
        guard let process = Pidfd(pid: container.pid) else { return waitForExit(of: container) }
        defer { process.close() }
        var channelOpen = true
        while true {
            // nil: a signal came first, or poll failed; either way the wait starts again.
            let ready = try? Readiness.wait([channelOpen ? prompts.channel : -1, process.fd], timeoutMilliseconds: -1)
            while let sig = Signals.takePending() { Processes.signalChild(container.pid, sig) }
            guard let ready else { continue }
            if ready[0] != .quiet { channelOpen = prompts.serve() }
            if ready[1] != .quiet { return waitForExit(of: container) }
        }
    }

    private func waitForExit(of container: CreatedContainer) -> Int32 {
        let forward = { while let sig = Signals.takePending() { Processes.signalChild(container.pid, sig) } }
        return (try? Processes.wait(container.pid, interrupted: forward)) ?? 255
    }
}
