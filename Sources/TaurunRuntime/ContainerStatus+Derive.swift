import TaurunLinux
import TaurunOCI

/// Status is derived on every read, never trusted from disk (crun's approach): the recorded pid + start time say
/// whether the process lives, the exec fifo whether `start` has run, the freezer whether it is paused.
extension ContainerRecord {
    public func status(store: StateStore, isFrozen: () -> Bool) -> ContainerStatus {
        switch phase {
        case .creating:
            return Processes.isAlive(pid: creatorPid, startTime: creatorStartTime) ? .creating : .stopped
        case .created:
            guard let pid, Processes.isAlive(pid: pid, startTime: pidStartTime) else { return .stopped }
            if Files.exists(store.execFifo(of: id)) { return .created }
            return isFrozen() ? .paused : .running
        }
    }
}

extension ContainerStatus {
    /// `kill` reaches a container whose init exists. (start checks `created` itself; delete without --force refuses
    /// anything but stopped and created, RuntimeError.cannotDelete.)
    public var canKill: Bool { self == .created || self == .running || self == .paused }
}
