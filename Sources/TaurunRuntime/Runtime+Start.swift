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
        if record.hooks?.poststart?.isEmpty == false, let pid = record.pid {
            // poststart runs after the user process has started (spec order: startContainer, exec, poststart).
            waitForExec(pid: pid, startTime: record.pidStartTime)
        }
        unlink(path)
        audit(.start, record: record, what: "started")
        runPoststart(record)
    }

    /// Until the container process has exec'd the user program (its /proc/<pid>/exe is no longer this runtime's
    /// binary) or is gone. Polled: nothing else tells another process that an execve happened.
    private func waitForExec(pid: Int32, startTime: UInt64?) {
        let runtimeExe = Self.executable(of: "self")
        while Processes.isAlive(pid: pid, startTime: startTime), Self.executable(of: String(pid)) == runtimeExe {
            usleep(500)
        }
    }

    private static func executable(of pid: String) -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/\(pid)/exe", &buf, buf.count - 1)
        return n > 0 ? String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
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
