import TaurunCgroups
import TaurunLinux
import TaurunOCI
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

extension Runtime {
    /// `delete [--force]`: kill what is left, remove the cgroup, run poststop hooks, remove the state dir.
    /// Works from the record alone (the bundle may be gone) and is idempotent: a second delete --force, or one
    /// after a create that was killed half-way, finds what was recorded and removes it.
    public func delete(id: String, force: Bool) throws(RuntimeError) {
        try ContainerID.validate(id)
        let lock: StateStore.Lock
        do { lock = try store.lock(id) } catch {
            if case .notExist = error, force { return }
            throw error
        }
        defer { lock.release() }
        let record: ContainerRecord
        do { record = try store.load(id) } catch {
            // A directory without state: a create that died before its first write. Nothing else was made yet.
            if force || Files.isDirectory(store.directory(of: id)) && !Files.exists(store.stateFile(of: id)) {
                try store.remove(id)
                return
            }
            throw error
        }
        let status = status(of: record)
        switch status {
        case .stopped, .created:
            break
        case .creating:
            guard force else { throw .cannotDelete(id: id, status: status) }
            // The creator still runs: kill it so it cannot create more after we clean up.
            try? Processes.signal(pid: record.creatorPid, startTime: record.creatorStartTime, SIGKILL)
        case .running, .paused:
            guard force else { throw .cannotDelete(id: id, status: status) }
        }
        auditOOM(record)
        try destroy(record)
        if record.phase == .created, let hooks = record.hooks?.poststop, !hooks.isEmpty {
            let json = state(of: record, status: .stopped).hookJSON
            for hook in hooks {
                do { try HookRunner.run(hook, kind: "poststop", state: json) } catch { Warnings.emit("\(error)") }
            }
        }
        try store.remove(id)
        audit(.delete, record: record, what: "deleted")
    }

    /// An OOM kill inside the container's memory limit becomes one audit record, read from the cgroup before it goes.
    private func auditOOM(_ record: ContainerRecord) {
        guard (record.auditLog ?? auditLogPath) != nil, let limit = record.memoryLimit, limit > 0,
              let kills = cgroupManager(for: record).oomKillCount(), kills > 0 else { return }
        let quota = ByteCount.exactly(limit) ?? "\(limit) bytes"
        audit(.oom, record: record, action: "killed", what: "killed: exceeded memory quota \(quota)")
    }

    /// Kills every process of the container and removes its cgroup.
    func destroy(_ record: ContainerRecord) throws(RuntimeError) {
        if let pid = record.pid, Processes.isAlive(pid: pid, startTime: record.pidStartTime) {
            try? Processes.signal(pid: pid, startTime: record.pidStartTime, SIGKILL)
        }
        if let pid = record.pid { waitForExit(pid: pid, startTime: record.pidStartTime) }
        // The Tau monitor exits with the init; kill it anyway in case it outlived it (it is not in the cgroup).
        if let monitor = record.monitorPid, Processes.isAlive(pid: monitor, startTime: record.monitorStartTime) {
            try? Processes.signal(pid: monitor, startTime: record.monitorStartTime, SIGKILL)
        }
        // Whatever is still in the cgroup is SIGKILLed (freezing first) before it is removed.
        do { try Cgroups.destroy(recorded: recordedCgroup(of: record)) } catch { throw .cgroup(error.description) }
    }

    /// How long delete waits for a SIGKILLed init to be gone before it removes the cgroup anyway.
    static let exitWaitMilliseconds = 5000

    /// Waits until the process is gone (or a zombie its parent will reap); at most exitWaitMilliseconds.
    func waitForExit(pid: Int32, startTime: UInt64?) {
        switch Processes.awaitExit(pid: pid, startTime: startTime, timeoutMilliseconds: Self.exitWaitMilliseconds) {
        case .notRunning, .timedOut:
            return
        case .exited:
            // Our own child (run, or a failed create): reap it.
            _ = try? Processes.wait(pid, options: WNOHANG)
            return
        case .unsupported:
            break
        }
        // Without pidfds: poll every millisecond.
        var waited = 0
        while Processes.isAlive(pid: pid, startTime: startTime) && waited < Self.exitWaitMilliseconds {
            // Our own child (run, or a failed create): reap it.
            if (try? Processes.wait(pid, options: WNOHANG)) != nil { return }
            MonotonicClock.sleep(milliseconds: 1)
            waited += 1
        }
    }
}
