#if canImport(Glibc)
import Glibc
#endif
import Testing
import TaurunOCI
@testable import TaurunCgroups

/// The v1 driver against a directory tree laid out like this host's /sys/fs/cgroup (no kernel involved).
@Suite struct MirrorV1Tests {
    let mirror = CgroupMirror()
    let layout: CgroupLayout

    /// Files the kernel creates in every directory of each hierarchy (a subset: the ones taurun touches).
    static let leafFiles: [String: [String: String]] = [
        "memory": ["memory.limit_in_bytes": "9223372036854771712", "memory.memsw.limit_in_bytes": "9223372036854771712",
                   "memory.soft_limit_in_bytes": "", "memory.kmem.tcp.limit_in_bytes": "", "memory.swappiness": "60",
                   "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n", "memory.use_hierarchy": "1",
                   "memory.usage_in_bytes": "4096", "memory.max_usage_in_bytes": "8192", "memory.failcnt": "7",
                   "memory.stat": "cache 1024\nrss 2048\n", "cgroup.procs": "", "cgroup.event_control": ""],
        "cpu,cpuacct": ["cpu.shares": "1024", "cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": "-1", "cpu.cfs_burst_us": "0",
                        "cpu.idle": "0", "cpu.stat": "nr_periods 4\nnr_throttled 2\nthrottled_time 999\n",
                        "cpuacct.usage": "123456", "cpuacct.usage_percpu": "100 200 \n", "cpuacct.stat": "user 5\nsystem 3\n",
                        "cgroup.procs": ""],
        "cpuset": ["cpuset.cpus": "", "cpuset.mems": "", "cgroup.procs": ""],
        "pids": ["pids.max": "max", "pids.current": "3", "cgroup.procs": ""],
        "devices": ["devices.allow": "", "devices.deny": "", "devices.list": "a *:* rwm\n", "cgroup.procs": ""],
        "freezer": ["freezer.state": "THAWED", "cgroup.procs": ""],
        "blkio": ["blkio.bfq.weight": "100", "blkio.bfq.weight_device": "", "blkio.throttle.read_bps_device": "",
                  "blkio.throttle.io_service_bytes_recursive": "8:0 Read 100\n8:0 Write 200\nTotal 300\n", "cgroup.procs": ""],
        "hugetlb": ["hugetlb.2MB.limit_in_bytes": "", "hugetlb.2MB.usage_in_bytes": "0", "cgroup.procs": ""],
    ]

    init() {
        var hierarchies: [String: String] = [:]
        for (mount, files) in Self.leafFiles {
            var rootFiles = files
            if mount == "cpuset" { rootFiles = ["cpuset.cpus": "0-3\n", "cpuset.mems": "0\n"] }
            mirror.dir(mount, files: rootFiles)
            // What mkdir would produce for the container's parent and leaf.
            mirror.dir(mount + "/parent", files: files)
            mirror.dir(mount + "/parent/c1", files: files)
            for controller in mount.split(separator: ",") { hierarchies[String(controller)] = mirror.path(mount) }
        }
        layout = .v1(hierarchies: hierarchies)
    }

    func manager() throws -> CgroupfsManager {
        try Cgroups.manager(containerID: "c1", cgroupsPath: "/parent/c1", layout: layout, ownCgroups: [:])
    }

    @Test func createFillsEmptyCpusetFromTheParentChain() throws {
        try manager().create()
        #expect(mirror.read("cpuset/parent/cpuset.cpus") == "0-3")
        #expect(mirror.read("cpuset/parent/c1/cpuset.cpus") == "0-3")
        #expect(mirror.read("cpuset/parent/c1/cpuset.mems") == "0")
    }

    @Test func oneDirectoryPerMountedHierarchy() throws {
        let dirs = try manager().paths.dirs
        #expect(dirs.count == Self.leafFiles.count)
        #expect(dirs.contains(mirror.path("cpu,cpuacct/parent/c1")))
    }

    @Test func everyLimitLandsInItsFile() throws {
        let resources = LinuxResources(
            devices: [LinuxDeviceCgroup(allow: false, access: "rwm")],
            memory: LinuxMemory(limit: 64 << 20, reservation: 32 << 20, swap: 128 << 20, kernelTCP: 1 << 20, swappiness: 0, disableOOMKiller: true),
            cpu: LinuxCPU(shares: 512, quota: 20_000, burst: 500, period: 50_000, cpus: "1", mems: "0", idle: 0),
            pids: LinuxPids(limit: 32),
            blockIO: LinuxBlockIO(weight: 300, throttleReadBpsDevice: [LinuxThrottleDevice(major: 8, minor: 0, rate: 1 << 20)]),
            hugepageLimits: [LinuxHugepageLimit(pageSize: "2MB", limit: 4 << 20)])
        let manager = try manager()
        try manager.create()
        mirror.write("cpu,cpuacct/parent/c1/cpu.shares", "")  // let the read-back see what was written
        try manager.apply(resources)
        #expect(mirror.read("memory/parent/c1/memory.limit_in_bytes") == "67108864")
        #expect(mirror.read("memory/parent/c1/memory.memsw.limit_in_bytes") == "134217728")
        #expect(mirror.read("memory/parent/c1/memory.soft_limit_in_bytes") == "33554432")
        #expect(mirror.read("memory/parent/c1/memory.kmem.tcp.limit_in_bytes") == "1048576")
        #expect(mirror.read("memory/parent/c1/memory.swappiness") == "0")
        #expect(mirror.read("memory/parent/c1/memory.oom_control") == "1")
        #expect(mirror.read("cpu,cpuacct/parent/c1/cpu.shares") == "512")
        #expect(mirror.read("cpu,cpuacct/parent/c1/cpu.cfs_quota_us") == "20000")
        #expect(mirror.read("cpu,cpuacct/parent/c1/cpu.cfs_period_us") == "50000")
        #expect(mirror.read("cpu,cpuacct/parent/c1/cpu.cfs_burst_us") == "500")
        #expect(mirror.read("cpuset/parent/c1/cpuset.cpus") == "1")
        #expect(mirror.read("pids/parent/c1/pids.max") == "32")
        #expect(mirror.read("blkio/parent/c1/blkio.bfq.weight") == "300")  // no blkio.weight here: the BFQ file
        #expect(mirror.read("blkio/parent/c1/blkio.throttle.read_bps_device") == "8:0 1048576")
        #expect(mirror.read("hugetlb/parent/c1/hugetlb.2MB.limit_in_bytes") == "4194304")
        #expect(mirror.read("devices/parent/c1/devices.deny") == "a")
        #expect(mirror.read("devices/parent/c1/devices.allow") == "c 10:200 rwm")  // the last default rule
    }

    @Test func missingControllersAndKernelFeaturesFailValidationBeforeAnyWrite() throws {
        let manager = try manager()
        let cases: [(LinuxResources, String)] = [
            (LinuxResources(network: LinuxNetwork(classID: 1)), "net_cls cgroup controller is not mounted"),
            (LinuxResources(hugepageLimits: [LinuxHugepageLimit(pageSize: "1GB", limit: 1 << 30)]), "hugetlb.1GB.limit_in_bytes"),
            (LinuxResources(blockIO: LinuxBlockIO(leafWeight: 100)), "blkio.leaf_weight"),
            (LinuxResources(cpu: LinuxCPU(realtimeRuntime: 100)), "cpu.rt_runtime_us"),
            (LinuxResources(rdma: ["mlx5_0": LinuxRdma(hcaHandles: 1)]), "rdma cgroup controller is not mounted"),
            (LinuxResources(unified: ["memory.high": "1"]), "only cgroup v1"),
        ]
        for (resources, message) in cases {
            do {
                try manager.validate(resources)
                Issue.record("accepted \(resources)")
            } catch {
                #expect(error.description.contains(message), "\(error)")
            }
        }
        #expect(mirror.read("memory/parent/c1/memory.limit_in_bytes") == "9223372036854771712")
    }

    @Test func unchangedDeviceStateIsNotRewritten() throws {
        let manager = try manager()
        let rules = try DeviceRules.effectiveRules(config: [LinuxDeviceCgroup(allow: false, access: "rwm")])
        let listed = DeviceRules.finalState(rules).listLines.sorted().joined(separator: "\n")
        mirror.write("devices/parent/c1/devices.list", listed + "\n")
        try manager.apply(LinuxResources(devices: [LinuxDeviceCgroup(allow: false, access: "rwm")]))
        #expect(mirror.read("devices/parent/c1/devices.deny") == "")
    }

    @Test func statsReadV1Files() throws {
        let stats = try manager().stats()
        #expect(stats.cpu.usage.total == 123_456)
        #expect(stats.cpu.usage.percpu == [100, 200])
        #expect(stats.cpu.usage.user == 50_000_000)
        #expect(stats.cpu.throttling == .init(periods: 4, throttledPeriods: 2, throttledTime: 999))
        #expect(stats.memory.usage.usage == 4096)
        #expect(stats.memory.usage.max == 8192)
        #expect(stats.memory.usage.failcnt == 7)
        #expect(stats.memory.cache == 1024)
        #expect(stats.pids.current == 3)
        #expect(stats.pids.limit == 0)
        #expect(stats.blkio.ioServiceBytesRecursive == [.init(major: 8, minor: 0, op: "Read", value: 100), .init(major: 8, minor: 0, op: "Write", value: 200)])
        #expect(stats.hugetlb["2MB"] != nil)
    }

    @Test func oomKillCountComesFromOomControl() throws {
        #expect(try manager().oomKillCount() == 2)
    }

    @Test func recordedDirectoriesAreRecognisedFromTheirFiles() throws {
        let recorded = try manager().paths
        guard let rebuilt = Cgroups.manager(recorded: recorded) as? CgroupfsManager else {
            Issue.record("not a cgroupfs manager")
            return
        }
        #expect(rebuilt.v1Dir("freezer") == mirror.path("freezer/parent/c1"))
        #expect(rebuilt.v1Dir("cpuacct") == mirror.path("cpu,cpuacct/parent/c1"))
        #expect(rebuilt.isUnified == false)
    }
}

extension CgroupStats.CPU.Throttling {
    init(periods: UInt64, throttledPeriods: UInt64, throttledTime: UInt64) {
        self.init()
        self.periods = periods
        self.throttledPeriods = throttledPeriods
        self.throttledTime = throttledTime
    }
}
