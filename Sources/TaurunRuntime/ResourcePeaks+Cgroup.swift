import TaurunAudit
import TaurunCgroups
import TaurunLinux

/// Reading ResourcePeaks (TaurunAudit) from a container's cgroup once it has ended, before delete removes it. v1 and
/// v2 name the files differently; each value is taken from the first of the container's cgroup directories that has
/// it, so v1, v2 and hybrid hosts all work.
extension ResourcePeaks {
    /// Reads the peaks from `dirs`, the container's cgroup directories.
    public static func read(dirs: [String]) -> ResourcePeaks {
        func text(_ names: [String]) -> String? {
            for dir in dirs {
                for name in names {
                    if let text = try? Files.readString(dir + "/" + name) { return text }
                }
            }
            return nil
        }
        func number(_ names: [String]) -> UInt64? {
            text(names).flatMap { UInt64($0.split(whereSeparator: \.isWhitespace).first ?? "") }
        }
        func keyed(_ names: [String], _ key: String) -> UInt64? {
            text(names).flatMap { KeyedFile.parse($0)[key] }
        }
        return ResourcePeaks(
            memoryBytes: number(["memory.max_usage_in_bytes", "memory.peak"]),
            oomKills: keyed(["memory.oom_control", "memory.events"], "oom_kill"),
            pids: number(["pids.peak"]),
            pidsLimitHits: keyed(["pids.events"], "max"))
    }
}
