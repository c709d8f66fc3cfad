import TaurunLinux
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// kill --all and delete: finding and ending every process, then removing the directories.
extension CgroupfsManager {
    /// Total time destroy() waits for processes to leave and for rmdir to stop returning EBUSY.
    static let destroyTimeoutMilliseconds = 1000

    public func signalAll(_ signal: Int32) throws(CgroupError) {
        if signal == SIGKILL, let dir = v2Hierarchy?.dir {
            // cgroup.kill (Linux 5.14) kills the whole cgroup atomically, forks in flight included. Best effort:
            // the per-pid loop below still signals whatever it missed.
            let killFile = CgroupFiles.join(dir, "cgroup.kill")
            if CgroupFiles.exists(killFile) { try? CgroupFiles.write(killFile, "1") }
        }
        let wasFrozen = freezer != nil && isFrozen()
        // Frozen processes cannot fork, so the pid list cannot grow between reading it and signalling it.
        var froze = false
        if freezer != nil, !wasFrozen {
            do {
                try freeze()
                froze = true
            } catch {
                // SIGKILL (delete, kill --all KILL) must still go out; any other signal reports the failure.
                if signal != SIGKILL { throw error }
            }
        }
        var firstError: CgroupError?
        do {
            for pid in try pids() {
                do { try Processes.sendSignal(signal, to: pid) } catch {
                    // A pid that has exited since it was listed is no failure.
                    if error.errno != .noSuchProcess && firstError == nil {
                        firstError = .syscall("kill", "pid \(pid)", value: String(signal), errno: error.errno.rawValue)
                    }
                }
            }
        } catch {
            firstError = error
        }
        // A v1-frozen task only acts on SIGKILL once thawed; for other signals keep a paused container paused.
        if froze || (wasFrozen && signal == SIGKILL) { try thaw() }
        if let firstError { throw firstError }
    }

    public func destroy() throws(CgroupError) {
        if Self.removeEmpty(hierarchies.map(\.dir)) { return }
        let deadline = MonotonicClock.milliseconds() + Self.destroyTimeoutMilliseconds
        if try !pids().isEmpty {
            // Keep going if signalling reports a problem (a thaw that timed out, a pid that vanished): whatever
            // survives shows up as EBUSY from rmdir below, which names the directory.
            try? signalAll(SIGKILL)
            var delay = 1
            while try !pids().isEmpty, MonotonicClock.milliseconds() < deadline {
                MonotonicClock.sleep(milliseconds: delay)
                delay = min(delay * 2, 100)
            }
        }
        var firstError: CgroupError?
        for hierarchy in hierarchies {
            do {
                try Self.removeTree(hierarchy.dir, deadline: deadline)
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
    }

    /// rmdir a cgroup and any child cgroups below it (deepest first). ENOENT is success; EBUSY (processes
    /// still exiting) is retried with exponential backoff until the deadline.
    static func removeTree(_ dir: String, deadline: Int) throws(CgroupError) {
        for child in CgroupFiles.subdirectories(dir) {
            try removeTree(CgroupFiles.join(dir, child), deadline: deadline)
        }
        var delay = 1
        while true {
            do {
                try Files.removeDirectory(dir)
                return
            } catch {
                switch error.errno {
                case .noSuchFileOrDirectory:
                    return
                case .resourceBusy where MonotonicClock.milliseconds() < deadline:
                    MonotonicClock.sleep(milliseconds: delay)
                    delay = min(delay * 2, 100)
                default:
                    throw .syscall("rmdir", dir, errno: error.errno.rawValue)
                }
            }
        }
    }
}
