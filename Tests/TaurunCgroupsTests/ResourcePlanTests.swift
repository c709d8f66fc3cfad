import Testing
import TaurunOCI
@testable import TaurunCgroups

@Suite struct ConversionTests {
    @Test(arguments: [(UInt64(2), UInt64(1)), (1024, 39), (262_144, 10_000), (0, 0)])
    func cpuSharesBecomeWeightAsRuncDocuments(_ shares: UInt64, _ weight: UInt64) {
        #expect(ResourcePlan.cpuWeight(fromShares: shares) == weight)
    }

    @Test(arguments: [(UInt16(10), UInt64(1)), (1000, 10_000), (500, 4950), (0, 0)])
    func blkioWeightBecomesIOWeight(_ blkio: UInt16, _ io: UInt64) {
        #expect(ResourcePlan.ioWeight(fromBlkioWeight: blkio) == io)
    }

    @Test func swapIsMemoryPlusSwapInTheSpecButSwapAloneOnV2() throws {
        #expect(try ResourcePlan.v2Swap(swap: 300, memory: 100) == 200)
        #expect(try ResourcePlan.v2Swap(swap: 0, memory: -1) == -1)
        #expect(try ResourcePlan.v2Swap(swap: -1, memory: 100) == -1)
        #expect(throws: CgroupError.self) { try ResourcePlan.v2Swap(swap: 50, memory: 100) }
        #expect(throws: CgroupError.self) { try ResourcePlan.v2Swap(swap: 50, memory: 0) }
    }
}

@Suite struct V1PlanTests {
    func files(_ writes: [CgroupWrite]) -> [String] { writes.map { "\($0.file)=\($0.value)" } }

    @Test func raisingMemoryWritesMemswFirstLoweringWritesLimitFirst() throws {
        let memory = LinuxResources(memory: LinuxMemory(limit: 200, swap: 400))
        #expect(files(try ResourcePlan.v1(memory, currentMemoryLimit: 100)) == ["memory.memsw.limit_in_bytes=400", "memory.limit_in_bytes=200"])
        #expect(files(try ResourcePlan.v1(memory, currentMemoryLimit: 1000)) == ["memory.limit_in_bytes=200", "memory.memsw.limit_in_bytes=400"])
    }

    @Test func unlimitedMemoryAlsoUnlimitsSwap() throws {
        let writes = try ResourcePlan.v1(LinuxResources(memory: LinuxMemory(limit: -1)), currentMemoryLimit: 100)
        #expect(files(writes) == ["memory.memsw.limit_in_bytes=-1", "memory.limit_in_bytes=-1"])
    }

    @Test func everyMemoryFieldHasItsFile() throws {
        let memory = LinuxMemory(limit: 64 << 20, reservation: 32 << 20, kernel: 1 << 20, kernelTCP: 1 << 20, swappiness: 10, disableOOMKiller: true)
        let result = files(try ResourcePlan.v1(LinuxResources(memory: memory), currentMemoryLimit: nil))
        #expect(result == ["memory.limit_in_bytes=67108864", "memory.soft_limit_in_bytes=33554432", "memory.kmem.tcp.limit_in_bytes=1048576",
                           "memory.oom_control=1", "memory.swappiness=10"])
    }

    @Test func cpuFieldsAndPidsAndCpuset() throws {
        let cpu = LinuxCPU(shares: 512, quota: 50_000, burst: 1000, period: 100_000, realtimeRuntime: 950, realtimePeriod: 1000, cpus: "0", mems: "0", idle: 0)
        let result = files(try ResourcePlan.v1(LinuxResources(cpu: cpu, pids: LinuxPids(limit: 0)), currentMemoryLimit: nil))
        #expect(result == ["cpuset.cpus=0", "cpuset.mems=0", "cpu.shares=512", "cpu.cfs_period_us=100000", "cpu.cfs_quota_us=50000",
                           "cpu.cfs_burst_us=1000", "cpu.idle=0", "cpu.rt_period_us=1000", "cpu.rt_runtime_us=950", "pids.max=max"])
    }

    @Test func blockIONetworkHugetlbRdma() throws {
        let blockIO = LinuxBlockIO(weight: 500, weightDevice: [LinuxWeightDevice(major: 8, minor: 0, weight: 300)],
                                   throttleReadBpsDevice: [LinuxThrottleDevice(major: 8, minor: 0, rate: 1_048_576)],
                                   throttleWriteIOPSDevice: [LinuxThrottleDevice(major: 8, minor: 16, rate: 100)])
        let resources = LinuxResources(blockIO: blockIO, hugepageLimits: [LinuxHugepageLimit(pageSize: "2MB", limit: 4 << 20)],
                                       network: LinuxNetwork(classID: 0x100001, priorities: [LinuxInterfacePriority(name: "eth0", priority: 5)]),
                                       rdma: ["mlx5_0": LinuxRdma(hcaHandles: 3, hcaObjects: 10)])
        let writes = try ResourcePlan.v1(resources, currentMemoryLimit: nil)
        #expect(files(writes) == ["blkio.weight=500", "blkio.weight_device=8:0 300", "blkio.throttle.read_bps_device=8:0 1048576",
                                  "blkio.throttle.write_iops_device=8:16 100", "hugetlb.2MB.limit_in_bytes=4194304",
                                  "net_cls.classid=1048577", "net_prio.ifpriomap=eth0 5", "rdma.max=mlx5_0 hca_handle=3 hca_object=10"])
        #expect(writes[0].fallback == .init(file: "blkio.bfq.weight", value: "500"))
    }

    @Test func outOfRangeValuesAreErrorsWithTheirJSONPath() {
        let cases: [LinuxResources] = [
            LinuxResources(memory: LinuxMemory(swappiness: 150)),
            LinuxResources(memory: LinuxMemory(limit: 100, swap: 50)),
            LinuxResources(memory: LinuxMemory(limit: -5)),
            LinuxResources(cpu: LinuxCPU(quota: 10)),
            LinuxResources(cpu: LinuxCPU(period: 10)),
            LinuxResources(cpu: LinuxCPU(idle: 3)),
            LinuxResources(blockIO: LinuxBlockIO(weight: 5)),
            LinuxResources(hugepageLimits: [LinuxHugepageLimit(pageSize: "2 MB", limit: 1)]),
            LinuxResources(network: LinuxNetwork(priorities: [LinuxInterfacePriority(name: "eth0 1", priority: 1)])),
            LinuxResources(unified: ["memory.high": "1M"]),
        ]
        for resources in cases {
            do {
                _ = try ResourcePlan.v1(resources, currentMemoryLimit: nil)
                Issue.record("accepted \(resources)")
            } catch {
                #expect(error.operation == "validate")
                #expect(error.path.hasPrefix("linux.resources."))
            }
        }
        #expect(throws: CgroupError.self) { try ResourcePlan.v1(LinuxResources(memory: LinuxMemory(swappiness: 150)), currentMemoryLimit: nil) }
    }
}

@Suite struct V2PlanTests {
    func files(_ writes: [CgroupWrite]) -> [String] { writes.map { "\($0.file)=\($0.value)" } }

    @Test func memoryConvertsSwapAndSpellsUnlimitedAsMax() throws {
        #expect(files(try ResourcePlan.v2(LinuxResources(memory: LinuxMemory(limit: 100, reservation: 50, swap: 300))))
                == ["memory.swap.max=200", "memory.max=100", "memory.low=50"])
        #expect(files(try ResourcePlan.v2(LinuxResources(memory: LinuxMemory(limit: -1)))) == ["memory.swap.max=max", "memory.max=max"])
        #expect(files(try ResourcePlan.v2(LinuxResources(memory: LinuxMemory(limit: 100, swap: 100)))) == ["memory.swap.max=0", "memory.max=100"])
    }

    @Test func cpuBecomesWeightMaxAndBurst() throws {
        let cpu = LinuxCPU(shares: 1024, quota: 50_000, burst: 1000, period: 100_000, cpus: "0-1", idle: 0)
        #expect(files(try ResourcePlan.v2(LinuxResources(cpu: cpu)))
                == ["cpu.idle=0", "cpu.weight=39", "cpu.max=50000 100000", "cpu.max.burst=1000", "cpuset.cpus=0-1"])
        #expect(files(try ResourcePlan.v2(LinuxResources(cpu: LinuxCPU(period: 100_000)))) == ["cpu.max=max 100000"])
        #expect(files(try ResourcePlan.v2(LinuxResources(cpu: LinuxCPU(shares: 1024, idle: 1)))) == ["cpu.idle=1"])
    }

    @Test func ioUsesBfqThenConvertedWeightAndOneIoMaxLinePerThrottle() throws {
        let blockIO = LinuxBlockIO(weight: 1000, throttleReadBpsDevice: [LinuxThrottleDevice(major: 8, minor: 0, rate: 1024)],
                                   throttleWriteIOPSDevice: [LinuxThrottleDevice(major: 8, minor: 0, rate: 0)])
        let writes = try ResourcePlan.v2(LinuxResources(blockIO: blockIO))
        #expect(files(writes) == ["io.bfq.weight=1000", "io.max=8:0 rbps=1024", "io.max=8:0 wiops=max"])
        #expect(writes[0].fallback == .init(file: "io.weight", value: "10000"))
    }

    @Test func pidsHugetlbRdmaAndUnifiedKeys() throws {
        let resources = LinuxResources(pids: LinuxPids(limit: 64), hugepageLimits: [LinuxHugepageLimit(pageSize: "1GB", limit: 1 << 30)],
                                       rdma: ["mlx4_0": LinuxRdma(hcaHandles: 2)], unified: ["memory.high": "50M", "cgroup.max.depth": "3"])
        #expect(files(try ResourcePlan.v2(resources))
                == ["pids.max=64", "hugetlb.1GB.max=1073741824", "rdma.max=mlx4_0 hca_handle=2", "cgroup.max.depth=3", "memory.high=50M"])
    }

    @Test func v1OnlyFieldsAreErrorsOnV2() {
        let cases: [LinuxResources] = [
            LinuxResources(memory: LinuxMemory(swappiness: 60)),
            LinuxResources(memory: LinuxMemory(kernelTCP: 1024)),
            LinuxResources(memory: LinuxMemory(disableOOMKiller: true)),
            LinuxResources(cpu: LinuxCPU(realtimeRuntime: 100)),
            LinuxResources(blockIO: LinuxBlockIO(leafWeight: 100)),
            LinuxResources(network: LinuxNetwork(classID: 1)),
            LinuxResources(unified: ["../memory.max": "1"]),
            LinuxResources(unified: ["nodot": "1"]),
            LinuxResources(unified: ["cgroup.procs": "1"]),
            LinuxResources(cpu: LinuxCPU(shares: 1)),
        ]
        for resources in cases {
            #expect(throws: CgroupError.self, "\(resources)") { try ResourcePlan.v2(resources) }
        }
    }
}
