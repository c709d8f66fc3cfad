import TaurunLinux
import TaurunOCI
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

extension Runtime {
    /// `start`: one byte into the exec fifo releases the waiting container process to exec the user program.
    public func start(id: String) throws(RuntimeError) {
        try ContainerID.validate(id)
        let lock = try store.lock(id)
        defer { lock.release() }
        let record = try store.load(id)
        let status = status(of: record)
        switch status {
        case .created: break
        case .stopped: throw .container("cannot start a container that has stopped")
        case .running, .paused: throw .container("cannot start an already running container")
        case .creating: throw .container("cannot start a container that is still being created")
        }
        let path = store.execFifo(of: id)
        let released: Bool
        do { released = try ExecFifo.release(path) } catch { throw .system(error) }
        guard released else { throw .container("cannot start a container that has stopped") }
        if record.hooks?.poststart?.isEmpty == false {
            // poststart runs after the user process has started (spec order: startContainer, exec, poststart).
            ExecFifo.awaitExec(path)
        }
        try? FileIO<SyscallError>.unlinkIfPresent(path)  // served; one left behind goes with the state directory
        audit(.start, record: record, what: "started")
        runPoststart(record)
    }

    func runPoststart(_ record: ContainerRecord) {
        guard let hooks = record.hooks?.poststart, !hooks.isEmpty else { return }
        let json = state(of: record, status: .running).hookJSON
        // Spec: a failing poststart hook is logged and the lifecycle continues.
        for hook in hooks {
            do { try HookRunner.run(hook, kind: "poststart", state: json) } catch { Warnings.emit("\(error)") }
        }
    }
}
