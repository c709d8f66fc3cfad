import TaurunLinux
import TaurunOCI
import CLinux

#if canImport(Glibc)
import Glibc
#endif

extension Runtime {
    /// Forwardable signals: everything but those the runtime needs itself (CHLD) or cannot catch (KILL, STOP).
    static let forwarded: [Int32] = (1...31).filter { ![SIGKILL, SIGSTOP, SIGCHLD].contains($0) }

    /// `run` in the foreground: wait for the container process, forwarding every signal taurun receives, and
    /// return its exit code (128+N when killed by signal N).
    public func waitForeground(_ container: CreatedContainer) -> Int32 {
        for sig in Self.forwarded { _ = tr_install_recording_handler(sig) }
        var status: Int32 = 0
        while true {
            let r = waitpid(container.pid, &status, 0)
            if r == container.pid { break }
            if r < 0 && errno == EINTR {
                while case let sig = tr_take_pending_signal(), sig != 0 {
                    Glibc.kill(container.pid, sig)
                }
                continue
            }
            if r < 0 { return 255 }
        }
        return Processes.exitCode(fromWaitStatus: status)
    }
}
