/// Which mount destinations may touch the container's /proc: runc's allow-list. A `proc` mount (or a bind of a
/// procfs) at /proc itself, and binds over the few files lxcfs emulates; nothing else inside /proc. A mount over
/// /proc/self/fd would turn every masked path into a decoy, one over /proc/self/attr would silently drop the LSM
/// label (CVE-2019-16884), one over /proc/sys would expose the host's sysctls.
///
/// Checked twice: lexically by the planner (parent, before anything exists) and by RootfsBuilder on the
/// destination as resolved inside the rootfs, so a symlink in the image pointing into /proc cannot bypass it.
enum ProcMountPolicy {
    static let allowedInsideProc: [String] = [
        "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps", "/proc/uptime",
        "/proc/loadavg", "/proc/slabinfo", "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
    ]

    static var reason: String {
        "mounting over /proc is not allowed (only proc at /proc and binds over "
            + allowedInsideProc.map { String($0.dropFirst("/proc/".count)) }.joined(separator: ", ") + "):"
    }

    /// `path` made absolute and clean: "." and empty components dropped, ".." applied (never above /).
    /// On bytes: an array of Substrings makes the Swift runtime build `[Substring]`'s metadata from its mangled name,
    /// which scans every conformance record of the binary (~0.2 M instructions per create).
    static func clean(_ path: String) -> String {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        let bytes = Array(path.utf8)
        var out: [UInt8] = []
        var componentStarts: [Int] = []   // where each component of `out` (with its leading "/") begins
        var index = 0
        while index < bytes.count {
            let start = index
            while index < bytes.count && bytes[index] != slash { index += 1 }
            let length = index - start
            index += 1
            if length == 0 || (length == 1 && bytes[start] == dot) { continue }
            if length == 2 && bytes[start] == dot && bytes[start + 1] == dot {
                if let last = componentStarts.popLast() { out.removeSubrange(last...) }
                continue
            }
            componentStarts.append(out.count)
            out.append(slash)
            out.append(contentsOf: bytes[start..<(start + length)])
        }
        return out.isEmpty ? "/" : String(decoding: out, as: UTF8.self)
    }

    static func isInsideProc(_ clean: String) -> Bool { clean == "/proc" || clean.hasPrefix("/proc/") }

    /// nil when a mount of `type` (bind: `isBind`, its source on procfs: `sourceIsProcFS`) may go to `destination`
    /// (absolute, any form); otherwise the refusal's reason.
    static func refusal(destination: String, type: String?, isBind: Bool, sourceIsProcFS: Bool) -> String? {
        let dest = clean(destination)
        guard isInsideProc(dest) else { return nil }
        if dest == "/proc" {
            if isBind ? sourceIsProcFS : type == "proc" { return nil }
            return "only a proc mount (or a bind of a procfs) may go to /proc, not \(isBind ? "a bind of a non-procfs source" : "type " + (type ?? "none")):"
        }
        return allowedInsideProc.contains(dest) ? nil : reason
    }

    /// At mount time: `resolved` is where the destination actually lands inside the rootfs (symlinks followed; for
    /// a destination still to be created, its deepest existing ancestor), and `onProcFS` whether that object is on a
    /// procfs. A landing on /proc itself is judged by type as above; a landing inside /proc, or anywhere on a procfs,
    /// only on an allowed file (/proc/net/dev is reached through procfs's own net -> self/net link).
    static func refusal(resolved: String, onProcFS: Bool, type: String?, isBind: Bool, sourceIsProcFS: Bool) -> String? {
        let real = clean(resolved)
        if real == "/proc" { return refusal(destination: real, type: type, isBind: isBind, sourceIsProcFS: sourceIsProcFS) }
        guard onProcFS || isInsideProc(real) else { return nil }
        if allowedInsideProc.contains(real) { return nil }
        let parts = real.split(separator: "/")
        if onProcFS && parts.count == 4 && parts[0] == "proc" && parts[1].allSatisfy(\.isNumber) && parts[2] == "net"
            && parts[3] == "dev" {
            return nil
        }
        return reason
    }
}
