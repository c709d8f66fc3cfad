import TauSandbox
/// The processes that run as one of an app's host ids. Every process of a container of the app, under any runtime
/// (taurun, runc, crun, Podman), runs as an id of the app's range (the user namespace maps its 0…65535 there; an
/// unsandboxed app runs as base + 1000 itself), and no other process does (IDAllocator gives each app its own range),
/// so this is how `taurun uninstall` knows the app is still running without knowing which runtime started it.
enum AppProcesses {
    /// Pids in `procRoot` whose real, effective, saved or filesystem uid is in `range`. Zombies are left out: they
    /// hold nothing of the app but their exit status.
    static func pids(in range: ClosedRange<UInt32>, procRoot: String = "/proc") -> [Int32] {
        guard let names = try? FileSystem.list(procRoot) else { return [] }
        var pids: [Int32] = []
        for name in names {
            guard let pid = Int32(name), let bytes = try? FileSystem.readFile(procRoot + "/" + name + "/status", limit: 64 << 10) else {
                continue  // not a process, or it exited meanwhile
            }
            if runsIn(range, status: String(decoding: bytes, as: UTF8.self)) { pids.append(pid) }
        }
        return pids.sorted()
    }

    /// Whether a /proc/<pid>/status text (`State:\tS (sleeping)`, `Uid:\t<real>\t<effective>\t<saved>\t<fs>`) is a
    /// live process with a uid in `range`.
    static func runsIn(_ range: ClosedRange<UInt32>, status: String) -> Bool {
        var inRange = false
        for line in status.split(separator: "\n") {
            if line.hasPrefix("State:") && line.dropFirst(6).drop(while: { $0 == "\t" || $0 == " " }).hasPrefix("Z") { return false }
            if line.hasPrefix("Uid:") {
                inRange = line.dropFirst(4).split(whereSeparator: { $0 == "\t" || $0 == " " }).contains { UInt32($0).map(range.contains) ?? false }
            }
        }
        return inRange
    }
}
