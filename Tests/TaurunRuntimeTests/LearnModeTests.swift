import Testing
import TaurunAudit
import TaurunLinux
import TaurunOCI
@testable import TaurunRuntime

#if canImport(Glibc)
import Glibc
#endif

/// `taurun learn`'s monitor: what it lets through, what it refuses, and the filter that lets it see granted uses.
@Suite struct LearnModeTests {
    static func profile(networkGranted: Bool) -> LinuxSeccomp {
        var rules = [LinuxSyscall(names: ["read", "write"], action: .allow)]
        if networkGranted {
            rules.append(LinuxSyscall(names: ["socket", "socketpair"], action: .allow))
        } else {
            rules.append(LinuxSyscall(names: ["socketpair"], action: .allow))
            rules.append(LinuxSyscall(names: ["socket"], action: .allow, args: [LinuxSeccompArg(index: 0, value: 1, op: .equalTo)]))
        }
        return TauAppPolicy.monitored(LinuxSeccomp(defaultAction: .killProcess, architectures: [.x86_64], syscalls: rules))
    }

    @Test func withNetworkGrantedOnlyUnixSocketsStayUnwatched() {
        let learning = LearnMode.filter(Self.profile(networkGranted: true))
        let rules = learning.syscalls ?? []
        #expect(rules.map(\.names) == [["read", "write"], ["socketpair"], ["socket"], ["socket"]])
        #expect(rules[2].action == .allow && rules[2].args == [LinuxSeccompArg(index: 0, value: 1, op: .equalTo)])
        #expect(rules[3].action == .notify && rules[3].args == [LinuxSeccompArg(index: 0, value: 1, op: .notEqual)])
        #expect(learning.defaultAction == .notify)
    }

    @Test func withoutNetworkTheFilterIsTheMonitoredOne() {
        let monitored = Self.profile(networkGranted: false)
        #expect(LearnMode.filter(monitored) == monitored)
    }

    /// The opens and connects the bundle allows go to the monitor, which reads their path and lets them run; one
    /// the bundle refuses (here `creat`, by the default action) stays a refusal the monitor must not let through.
    @Test func allowedPathCallsAreWatchedAndRefusedOnesStayRefused() {
        let monitored = TauAppPolicy.monitored(LinuxSeccomp(defaultAction: .killProcess, architectures: [.x86_64], syscalls: [
            LinuxSyscall(names: ["read", "openat", "connect"], action: .allow),
            LinuxSyscall(names: ["open"], action: .allow, args: [LinuxSeccompArg(index: 1, value: 0, op: .equalTo)]),
        ]))
        let learning = LearnMode.filter(monitored)
        #expect(learning.syscalls?.map(\.names) == [["read"], ["open"], ["openat", "connect"]])
        #expect(learning.syscalls?.last?.action == .notify)
        #expect(LearnMode.watchedPathCalls(monitored) == ["openat", "connect"])
        #expect(LearnMode.grantedPaths(environment: ["PATH=/bin", "TAU_DATA=/srv/a:/srv/b", "X=1"]) == ["/srv/a", "/srv/b"])
    }

    @Test func onlyAGrantedUseIsLetThroughEverythingElseFailsAsUnderTheManifest() {
        #expect(LearnMode.answer(syscall: "socket", args: [2, 1, 0], granted: ["network"]) == .allow)
        #expect(LearnMode.answer(syscall: "socket", args: [2, 1, 0], granted: ["camera"]) == .deny)
        // No permission allows a namespace: learning never lets one through, granted list or not.
        #expect(LearnMode.answer(syscall: "unshare", args: [0x10000000], granted: ["network", "camera"]) == .deny)
        #expect(LearnMode.answer(syscall: "bpf", args: [0, 0, 0], granted: ["network"]) == .deny)
    }

    @Test func theAuditLineSaysWhatTheAppGot() {
        #expect(LearnMode.line(app: "org.tauos.x", answer: .deny, syscall: "socket", args: [2, 1, 0])
            == "org.tauos.x learn: socket(AF_INET, SOCK_STREAM) needs permission \"network\", which is not granted; answered EPERM")
        #expect(LearnMode.line(app: "org.tauos.x", answer: .allow, syscall: "socket", args: [10, 2, 0])
            == "org.tauos.x learn: socket(AF_INET6, SOCK_DGRAM) used permission \"network\" (granted)")
        #expect(LearnMode.line(app: "org.tauos.x", answer: .deny, syscall: "unshare", args: [0x10000000])
            == "org.tauos.x learn: unshare(CLONE_NEWUSER) is not allowed: apps cannot create namespaces; answered EPERM")
    }

    @Test func theLearnFileKeepsEachCallOnceAndIsBounded() {
        var learned = SecurityMonitor.LearnedCalls()
        let first = learned.isNew("socket(AF_INET, SOCK_STREAM)")
        let repeated = learned.isNew("socket(AF_INET, SOCK_STREAM)")
        #expect(first && !repeated)
        var kept = 1
        for i in 0..<2000 where learned.isNew("call\(i)") { kept += 1 }
        let overLimit = learned.isNew("one more")
        #expect(kept == SecurityMonitor.LearnedCalls.limit && !overLimit)
    }
}

/// Peaks read from a container's cgroup files, v1 and v2 names alike.
@Suite struct ResourcePeaksTests {
    static func directory(_ files: [String: String]) -> String {
        var template = Array("/tmp/taurun-peaks-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        let path = String(cString: made!)
        for (name, text) in files {
            let fd = open(path + "/" + name, O_WRONLY | O_CREAT, 0o600)
            _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        return path
    }

    static func remove(_ path: String) {
        try? Files.removeTree(path)
    }

    @Test func cgroupV1HybridSpreadsThemOverControllerDirectories() {
        let memory = Self.directory([
            "memory.max_usage_in_bytes": "16777216\n", "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n",
        ])
        let pids = Self.directory(["pids.peak": "5\n", "pids.events": "max 3\n"])
        let unified = Self.directory([:])
        defer { for dir in [memory, pids, unified] { Self.remove(dir) } }
        #expect(ResourcePeaks.read(dirs: [unified, memory, pids]) == ResourcePeaks(memoryBytes: 16 << 20, oomKills: 1, pids: 5, pidsLimitHits: 3))
    }

    @Test func cgroupV2HasThemInOneDirectory() {
        let dir = Self.directory([
            "memory.peak": "1241088\n", "memory.events": "low 0\nhigh 0\nmax 12\noom 1\noom_kill 0\n",
            "pids.peak": "2\n", "pids.events": "max 0\n",
        ])
        defer { Self.remove(dir) }
        #expect(ResourcePeaks.read(dirs: [dir]) == ResourcePeaks(memoryBytes: 1_241_088, oomKills: 0, pids: 2, pidsLimitHits: 0))
    }

    @Test func whatTheKernelDoesNotKeepIsUnknownNotZero() {
        let dir = Self.directory(["memory.events": "oom_kill 0\n"])
        defer { Self.remove(dir) }
        #expect(ResourcePeaks.read(dirs: [dir]) == ResourcePeaks(memoryBytes: nil, oomKills: 0, pids: nil, pidsLimitHits: nil))
    }
}
