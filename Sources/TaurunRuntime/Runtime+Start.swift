import TaurunLinux
import TaurunOCI

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
        let fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            // ENXIO: no reader, the container process is gone.
            if errno == ENXIO || errno == ENOENT { throw .container("cannot start a container that has stopped") }
            throw .system(SyscallError("open", path))
        }
        var one: UInt8 = 0x30
        let n = write(fd, &one, 1)
        close(fd)
        if n != 1 { throw .system(SyscallError("write", path)) }
        if record.hooks?.poststart?.isEmpty == false {
            // poststart runs after the user process has started (spec order: startContainer, exec, poststart).
            waitForExec(fifo: path)
        }
        unlink(path)
        audit(.start, record: record, what: "started")
        runPoststart(record)
    }

    /// Until the container process has exec'd (or is gone). It holds the exec fifo close-on-exec (the trampoline
    /// closes it just before its execve of the program), so "exec'd" is "the fifo's last writer is gone": a reader
    /// gets POLLHUP then, but only if a writer opened after it did, hence the second, momentary writer.
    /// No polling of /proc/<pid>/exe: that names a memfd from before `start` on, whichever way the init waits.
    private func waitForExec(fifo path: String) {
        let reader = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard reader >= 0 else { return }
        defer { close(reader) }
        let writer = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        guard writer >= 0 else { return }
        close(writer)
        var watch = pollfd(fd: reader, events: 0, revents: 0)
        while poll(&watch, 1, -1) < 0 && errno == EINTR {}
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

/// Non-fatal problems: one stderr line each, as runc's warnings.
public enum Warnings {
    nonisolated(unsafe) public static var sink: (String) -> Void = { message in
        writeStderr("taurun: warning: \(message)\n")
    }

    static func emit(_ message: String) { sink(message) }
}
