import TaurunCgroups
import TaurunLinux
import TaurunOCI

#if canImport(Glibc)
import Glibc
#endif

extension Runtime {
    /// `kill [--all] ID SIGNAL`: the pid is pinned with a pidfd and checked against its start time, so a recycled
    /// pid is never signalled; `--all` signals every process of the container's cgroup.
    public func kill(id: String, signal: Int32, all: Bool) throws(RuntimeError) {
        try ContainerID.validate(id)
        let record = try store.load(id)
        let status = status(of: record)
        guard status.canKill || (all && status == .stopped && hasProcesses(record)) else {
            throw .container("container not running")
        }
        let name = SignalName.name(of: signal)
        if all {
            do { try cgroupManager(for: record).signalAll(signal) } catch { throw .cgroup(error.description) }
            audit(.kill, record: record, action: name, what: "sent \(name) to all its processes")
            return
        }
        guard let pid = record.pid else { throw .container("container not running") }
        do { try Processes.signal(pid: pid, startTime: record.pidStartTime, signal) } catch {
            if error.errno == .noSuchProcess { throw .container("container not running") }
            throw .system(error)
        }
        audit(.kill, record: record, action: name, what: "sent \(name)")
    }

    func hasProcesses(_ record: ContainerRecord) -> Bool {
        ((try? cgroupManager(for: record).pids()) ?? []).isEmpty == false
    }
}

/// Signal names and numbers as `kill` accepts them: "KILL", "SIGKILL", "9".
public enum SignalName {
    static let table: [(String, Int32)] = [
        ("HUP", 1), ("INT", 2), ("QUIT", 3), ("ILL", 4), ("TRAP", 5), ("ABRT", 6), ("IOT", 6), ("BUS", 7), ("FPE", 8),
        ("KILL", 9), ("USR1", 10), ("SEGV", 11), ("USR2", 12), ("PIPE", 13), ("ALRM", 14), ("TERM", 15),
        ("STKFLT", 16), ("CHLD", 17), ("CONT", 18), ("STOP", 19), ("TSTP", 20), ("TTIN", 21), ("TTOU", 22),
        ("URG", 23), ("XCPU", 24), ("XFSZ", 25), ("VTALRM", 26), ("PROF", 27), ("WINCH", 28), ("IO", 29),
        ("POLL", 29), ("PWR", 30), ("SYS", 31),
    ]
    /// The kernel's real-time signals, as glibc numbers them for programs (SIGRTMIN is 34: glibc keeps 32 and 33
    /// for itself) and as runc and the kill(1) of procps spell them.
    static let realTimeMin: Int32 = 34
    static let realTimeMax: Int32 = 64

    /// "SIGTERM" for 15, "SIGRTMIN+3" for 37, else the number.
    static func name(of signal: Int32) -> String {
        if let hit = table.first(where: { $0.1 == signal && $0.0 != "IOT" && $0.0 != "POLL" }) { return "SIG" + hit.0 }
        if (realTimeMin...realTimeMax).contains(signal) {
            return signal == realTimeMin ? "SIGRTMIN" : "SIGRTMIN+\(signal - realTimeMin)"
        }
        return String(signal)
    }

    public static func parse(_ text: String) -> Int32? {
        if let n = Int32(text) { return (1...realTimeMax).contains(n) ? n : nil }
        var name = text.uppercased()
        if name.hasPrefix("SIG") { name.removeFirst(3) }
        if let hit = table.first(where: { $0.0 == name }) { return hit.1 }
        // RTMIN+n / RTMAX-n
        if name.hasPrefix("RTMIN") {
            let rest = name.dropFirst(5)
            if rest.isEmpty { return realTimeMin }
            if rest.hasPrefix("+"), let n = Int32(rest.dropFirst()), (0...realTimeMax - realTimeMin).contains(n) {
                return realTimeMin + n
            }
        }
        if name.hasPrefix("RTMAX") {
            let rest = name.dropFirst(5)
            if rest.isEmpty { return realTimeMax }
            if rest.hasPrefix("-"), let n = Int32(rest.dropFirst()), (0...realTimeMax - realTimeMin).contains(n) {
                return realTimeMax - n
            }
        }
        return nil
    }
}
