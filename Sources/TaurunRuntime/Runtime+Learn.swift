import TaurunAudit
import TaurunLinux

#if canImport(Glibc)
import Glibc
#endif

/// What `taurun learn` needs of a container created with `learning: true`, besides create, start and delete: a wait
/// that Ctrl-C ends, and what its monitor and its cgroup saw.
extension Runtime {
    /// Signals that end a learning run instead of being forwarded: the app's init is pid 1 of its pid namespace and
    /// ignores those it has no handler for, so forwarding Ctrl-C would leave the run (and the report) waiting.
    static let endingLearn: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Waits for the container's process like `run` in the foreground (every other signal is forwarded), except that
    /// SIGINT, SIGTERM and SIGHUP kill it (SIGKILL to its init: its pid namespace takes the rest). Then reaps the
    /// security monitor, which has written everything it learnt once it exits. Returns the exit code (128+N when
    /// killed by signal N) and whether a signal ended the run.
    public func waitLearning(_ container: CreatedContainer) -> (code: Int32, interrupted: Bool) {
        for sig in Self.forwarded { Signals.record(sig) }
        var interrupted = false
        let code = (try? Processes.wait(container.pid) {
            while let sig = Signals.takePending() {
                if Self.endingLearn.contains(sig) {
                    interrupted = true
                    Processes.signalChild(container.pid, SIGKILL)
                } else {
                    Processes.signalChild(container.pid, sig)
                }
            }
        }) ?? 255
        if container.monitorPid > 0 { _ = try? Processes.wait(container.monitorPid) }
        return (code, interrupted)
    }

    /// The records the container's learning monitor wrote, one per distinct call, oldest first.
    public func learnedCalls(of id: String) -> [AuditEvent] {
        guard let bytes = try? Files.read(store.learnFile(of: id)) else { return [] }
        return AuditLog.decode(bytes).filter { $0.event == .learn }
    }

    /// The container's resource peaks, from its cgroup: call after it has ended and before delete.
    public func resourcePeaks(of id: String) throws(RuntimeError) -> ResourcePeaks {
        ResourcePeaks.read(dirs: try store.load(id).cgroupDirs)
    }
}
