#if canImport(Glibc)
import Glibc
#endif
import Testing
import TaurunOCI
@testable import TaurunCgroups

/// The unified (v2) driver against a directory tree laid out like a cgroup2 mount with every controller.
@Suite struct MirrorV2Tests {
    let mirror = CgroupMirror()
    static let controllers = "cpuset cpu io memory hugetlb pids rdma"
    static let leafFiles: [String: String] = [
        "cgroup.controllers": controllers, "cgroup.subtree_control": "", "cgroup.procs": "", "cgroup.freeze": "0",
        "cgroup.events": "populated 0\nfrozen 1\n", "memory.max": "max", "memory.swap.max": "max", "memory.low": "0",
        "memory.high": "max", "memory.current": "8192", "memory.peak": "16384", "memory.swap.current": "0",
        "memory.events": "low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n", "memory.stat": "anon 4096\nfile 2048\n",
        "cpu.weight": "100", "cpu.max": "max 100000", "cpu.max.burst": "0", "cpu.idle": "0",
        "cpu.stat": "usage_usec 1000\nuser_usec 600\nsystem_usec 400\nnr_periods 10\nnr_throttled 3\nthrottled_usec 500\n",
        "cpuset.cpus": "", "cpuset.mems": "", "io.weight": "default 100", "io.max": "",
        "io.stat": "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n", "pids.max": "max", "pids.current": "1",
        "hugetlb.2MB.max": "max", "hugetlb.2MB.current": "0", "hugetlb.2MB.events": "max 0\n",
    ]

    init() {
        mirror.dir("unified", files: ["cgroup.controllers": Self.controllers, "cgroup.subtree_control": "", "cgroup.procs": ""])
        mirror.dir("unified/parent", files: Self.leafFiles)
        mirror.dir("unified/parent/c1", files: Self.leafFiles)
    }

    func manager() throws -> CgroupfsManager {
        try Cgroups.manager(containerID: "c1", cgroupsPath: "/parent/c1", layout: .unified(mountpoint: mirror.path("unified")), ownCgroups: ["": "/"])
    }

    @Test func createEnablesControllersDownToTheLeafsParent() throws {
        try manager().create()
        let enabled = "+cpuset +cpu +io +memory +hugetlb +pids +rdma"
        #expect(mirror.read("unified/cgroup.subtree_control") == enabled)
        #expect(mirror.read("unified/parent/cgroup.subtree_control") == enabled)
        #expect(mirror.read("unified/parent/c1/cgroup.subtree_control") == "")
    }

    @Test func limitsAreConvertedAndWritten() throws {
        let resources = LinuxResources(
            memory: LinuxMemory(limit: 64 << 20, reservation: 16 << 20, swap: 96 << 20),
            cpu: LinuxCPU(shares: 1024, quota: 50_000, period: 100_000, cpus: "0"),
            pids: LinuxPids(limit: 100),
            blockIO: LinuxBlockIO(weight: 1000, throttleWriteBpsDevice: [LinuxThrottleDevice(major: 8, minor: 0, rate: 2048)]),
            hugepageLimits: [LinuxHugepageLimit(pageSize: "2MB", limit: 2 << 20)],
            unified: ["memory.high": "50000000"])
        let manager = try manager()
        try manager.create()
        try manager.apply(resources)
        #expect(mirror.read("unified/parent/c1/memory.max") == "67108864")
        #expect(mirror.read("unified/parent/c1/memory.swap.max") == "33554432")
        #expect(mirror.read("unified/parent/c1/memory.low") == "16777216")
        #expect(mirror.read("unified/parent/c1/cpu.weight") == "39")
        #expect(mirror.read("unified/parent/c1/cpu.max") == "50000 100000")
        #expect(mirror.read("unified/parent/c1/cpuset.cpus") == "0")
        #expect(mirror.read("unified/parent/c1/pids.max") == "100")
        #expect(mirror.read("unified/parent/c1/io.weight") == "10000")  // no io.bfq.weight: converted io.weight
        #expect(mirror.read("unified/parent/c1/io.max") == "8:0 wbps=2048")
        #expect(mirror.read("unified/parent/c1/hugetlb.2MB.max") == "2097152")
        #expect(mirror.read("unified/parent/c1/memory.high") == "50000000")
    }

    @Test func unlimitedSwapIsFineWithoutSwapAccountingButASwapLimitIsNot() throws {
        mirror.dir("unified/noswap", files: Self.leafFiles.filter { !$0.key.hasPrefix("memory.swap") })
        let manager = try Cgroups.manager(containerID: "x", cgroupsPath: "/noswap", layout: .unified(mountpoint: mirror.path("unified")), ownCgroups: ["": "/"])
        try manager.apply(LinuxResources(memory: LinuxMemory(limit: -1)))
        #expect(mirror.read("unified/noswap/memory.max") == "max")
        #expect(throws: CgroupError.self) { try manager.apply(LinuxResources(memory: LinuxMemory(limit: 100, swap: 300))) }
    }

    @Test func deviceRulesValidateOnV2AndNeedARealCgroupToAttach() throws {
        let manager = try manager()
        let devices = LinuxResources(devices: [LinuxDeviceCgroup(allow: false, access: "rwm")])
        try manager.validate(devices)
        // A tmpfs directory is not a cgroup: the kernel refuses the attach, and the error says which call.
        do {
            try manager.apply(devices)
            Issue.record("attached a device program to a plain directory")
        } catch {
            #expect(error.operation.hasPrefix("bpf("))
        }
    }

    @Test func controllerMissingFromCgroupControllersIsAValidationError() throws {
        mirror.write("unified/cgroup.controllers", "cpu memory")
        let manager = try manager()
        do {
            try manager.validate(LinuxResources(pids: LinuxPids(limit: 5)))
            Issue.record("accepted pids without the pids controller")
        } catch {
            #expect(error.description.contains("pids controller is not available"))
        }
    }

    @Test func statsReadV2Files() throws {
        let stats = try manager().stats()
        #expect(stats.cpu.usage.total == 1_000_000)
        #expect(stats.cpu.usage.kernel == 400_000)
        #expect(stats.cpu.throttling == .init(periods: 10, throttledPeriods: 3, throttledTime: 500_000))
        #expect(stats.memory.usage.usage == 8192)
        #expect(stats.memory.usage.limit == UInt64.max)
        #expect(stats.memory.usage.failcnt == 2)
        #expect(stats.memory.cache == 2048)
        #expect(stats.pids.current == 1)
        #expect(stats.blkio.ioServiceBytesRecursive == [.init(major: 8, minor: 0, op: "Read", value: 4096), .init(major: 8, minor: 0, op: "Write", value: 8192)])
        #expect(stats.hugetlb["2MB"]?.failcnt == 0)
    }

    @Test func oomNotifierFiresWhenMemoryEventsChanges() throws {
        let fd = try manager().openOOMNotifier()
        defer { close(fd) }
        #expect(try !OOMNotifier.wait(fd, timeoutMilliseconds: 0))
        mirror.write("unified/parent/c1/memory.events", "low 0\nhigh 0\nmax 3\noom 2\noom_kill 2\n")
        #expect(try OOMNotifier.wait(fd, timeoutMilliseconds: 1000))
        #expect(try manager().oomKillCount() == 2)
    }

    @Test func oomKillCountComesFromMemoryEvents() throws {
        #expect(try manager().oomKillCount() == 1)
    }

    @Test func freezeWritesCgroupFreezeAndWaitsForEvents() throws {
        let manager = try manager()
        try manager.freeze()
        #expect(mirror.read("unified/parent/c1/cgroup.freeze") == "1")
        #expect(manager.isFrozen())
    }

    @Test func recordedUnifiedDirectoryIsRecognised() throws {
        let rebuilt = Cgroups.manager(recorded: try manager().paths) as? CgroupfsManager
        #expect(rebuilt?.isUnified == true)
        #expect(rebuilt?.v2Hierarchy?.controllers.contains("memory") == true)
    }
}

/// Hybrid: limits go to the v1 hierarchies, `unified` keys to the (controller-less) cgroup2 directory.
@Suite struct MirrorHybridTests {
    let mirror = CgroupMirror()

    init() {
        mirror.dir("memory/c1", files: ["memory.limit_in_bytes": "", "cgroup.procs": ""])
        mirror.dir("unified", files: ["cgroup.controllers": "", "cgroup.subtree_control": ""])
        mirror.dir("unified/c1", files: ["cgroup.controllers": "", "cgroup.max.depth": "max", "cgroup.procs": "", "cgroup.freeze": "0",
                                         "cgroup.events": "populated 0\nfrozen 0\n"])
    }

    func manager() throws -> CgroupfsManager {
        let layout = CgroupLayout.hybrid(hierarchies: ["memory": mirror.path("memory")], unified: mirror.path("unified"))
        return try Cgroups.manager(containerID: "c1", cgroupsPath: "/c1", layout: layout, ownCgroups: [:])
    }

    @Test func limitsGoToV1AndUnifiedKeysToCgroup2() throws {
        let manager = try manager()
        try manager.apply(LinuxResources(memory: LinuxMemory(limit: 1 << 20), unified: ["cgroup.max.depth": "1"]))
        #expect(mirror.read("memory/c1/memory.limit_in_bytes") == "1048576")
        #expect(mirror.read("unified/c1/cgroup.max.depth") == "1")
        #expect(throws: CgroupError.self) { try manager.validate(LinuxResources(unified: ["memory.high": "1"])) }
    }

    @Test func withoutAV1FreezerPauseUsesCgroupFreeze() throws {
        mirror.write("unified/c1/cgroup.events", "populated 1\nfrozen 1\n")
        try manager().freeze()
        #expect(mirror.read("unified/c1/cgroup.freeze") == "1")
    }
}
