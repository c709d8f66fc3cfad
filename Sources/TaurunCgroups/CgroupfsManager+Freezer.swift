import TaurunLinux
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// pause/resume: the v1 freezer controller, or cgroup.freeze on cgroup2 (no controller needed there).
extension CgroupfsManager {
    enum Freezer {
        case v1(state: String)
        case v2(freeze: String, events: String)
    }

    /// v1 freezer when that hierarchy is mounted (it is the real controller on hybrid hosts), else cgroup2.
    var freezer: Freezer? {
        if let dir = v1Dir("freezer") { return .v1(state: CgroupFiles.join(dir, "freezer.state")) }
        if let dir = v2Hierarchy?.dir {
            return .v2(freeze: CgroupFiles.join(dir, "cgroup.freeze"), events: CgroupFiles.join(dir, "cgroup.events"))
        }
        return nil
    }

    /// How long freeze/thaw wait for the kernel to report the new state.
    static let freezerTimeoutMilliseconds = 2000

    public func freeze() throws(CgroupError) {
        try setFrozen(true)
    }

    public func thaw() throws(CgroupError) {
        try setFrozen(false)
    }

    public func isFrozen() -> Bool {
        switch freezer {
        case .v1(let state)?:
            return (try? CgroupFiles.readTrimmedIfPresent(state)) == "FROZEN"
        case .v2(let freeze, let events)?:
            if let frozen = try? KeyedFile.value(of: "frozen", inFile: events) { return frozen == 1 }
            return (try? CgroupFiles.readTrimmedIfPresent(freeze)) == "1"
        case nil:
            return false
        }
    }

    func setFrozen(_ frozen: Bool) throws(CgroupError) {
        guard let freezer else {
            throw CgroupError(operation: frozen ? "freeze" : "thaw", path: paths.dirs.first ?? "",
                              reason: "no freezer: neither the v1 freezer hierarchy nor cgroup2 is mounted")
        }
        let deadline = MonotonicClock.milliseconds() + Self.freezerTimeoutMilliseconds
        switch freezer {
        case .v1(let state):
            let wanted = frozen ? "FROZEN" : "THAWED"
            var attempt = 0
            while true {
                // Writing FROZEN again nudges tasks that were mid-fork when the first write happened; runc
                // loops the same way because FREEZING can otherwise last forever.
                try CgroupFiles.write(state, wanted)
                if try CgroupFiles.readTrimmedIfPresent(state) == wanted { return }
                attempt += 1
                if MonotonicClock.milliseconds() >= deadline {
                    if frozen { try? CgroupFiles.write(state, "THAWED") }
                    throw CgroupError(operation: frozen ? "freeze" : "thaw", path: state, value: wanted,
                                      reason: "the freezer did not reach \(wanted) within \(Self.freezerTimeoutMilliseconds) ms")
                }
                MonotonicClock.sleep(milliseconds: min(attempt, 10))
            }
        case .v2(let freeze, let events):
            try CgroupFiles.write(freeze, frozen ? "1" : "0")
            var attempt = 0
            while true {
                // Kernels without cgroup.events "frozen" (< 5.2) never report it; trust the write then.
                guard let reported = try KeyedFile.value(of: "frozen", inFile: events) else { return }
                if (reported == 1) == frozen { return }
                attempt += 1
                if MonotonicClock.milliseconds() >= deadline {
                    if frozen { try? CgroupFiles.write(freeze, "0") }
                    throw CgroupError(operation: frozen ? "freeze" : "thaw", path: freeze, value: frozen ? "1" : "0",
                                      reason: "cgroup.events did not report frozen \(frozen ? 1 : 0) within \(Self.freezerTimeoutMilliseconds) ms")
                }
                MonotonicClock.sleep(milliseconds: min(attempt, 10))
            }
        }
    }
}
