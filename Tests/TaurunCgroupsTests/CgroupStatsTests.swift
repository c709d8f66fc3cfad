import FoundationEssentials
import Testing
@testable import TaurunCgroups

/// The stats JSON has runc's shape: the same keys, zero fields left out where runc's omitempty leaves them out.
struct CgroupStatsTests {
    /// `runc events --stats` data of a running container on this host (runc 1.1.5; memory.raw shortened).
    static let runcData = #"""
    {"cpu":{"usage":{"total":15883004,"percpu":[3268641,12614363],"percpu_kernel":[0,8000000],"percpu_user":[0,0],"kernel":10000000,"user":0},"throttling":{}},"cpuset":{"cpus":[0,1],"cpu_exclusive":0,"mems":[0],"mem_hardwall":0,"mem_exclusive":0,"memory_migrate":0,"memory_spread_page":0,"memory_spread_slab":0,"memory_pressure":0,"sched_load_balance":1,"sched_relax_domain_level":-1},"memory":{"usage":{"limit":67108864,"usage":303104,"max":2936832,"failcnt":0},"swap":{"limit":9223372036854771712,"usage":303104,"max":2936832,"failcnt":0},"kernel":{"limit":9223372036854771712,"usage":249856,"max":655360,"failcnt":0},"kernelTCP":{"limit":9223372036854771712,"failcnt":0},"raw":{"cache":0,"rss":53248}},"pids":{"current":1,"limit":50},"blkio":{},"hugetlb":{"1GB":{"failcnt":0},"2MB":{"failcnt":0}},"intel_rdt":{},"network_interfaces":null}
    """#

    /// The same with sorted keys (python3 json.dumps(sort_keys=True)), as the runtime encodes it.
    static let runcDataSorted = #"{"blkio":{},"cpu":{"throttling":{},"usage":{"kernel":10000000,"percpu":[3268641,12614363],"percpu_kernel":[0,8000000],"percpu_user":[0,0],"total":15883004,"user":0}},"cpuset":{"cpu_exclusive":0,"cpus":[0,1],"mem_exclusive":0,"mem_hardwall":0,"memory_migrate":0,"memory_pressure":0,"memory_spread_page":0,"memory_spread_slab":0,"mems":[0],"sched_load_balance":1,"sched_relax_domain_level":-1},"hugetlb":{"1GB":{"failcnt":0},"2MB":{"failcnt":0}},"intel_rdt":{},"memory":{"kernel":{"failcnt":0,"limit":9223372036854771712,"max":655360,"usage":249856},"kernelTCP":{"failcnt":0,"limit":9223372036854771712},"raw":{"cache":0,"rss":53248},"swap":{"failcnt":0,"limit":9223372036854771712,"max":2936832,"usage":303104},"usage":{"failcnt":0,"limit":67108864,"max":2936832,"usage":303104}},"network_interfaces":null,"pids":{"current":1,"limit":50}}"#

    static func encoded(_ stats: CgroupStats) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(stats), as: UTF8.self)
    }

    @Test func zeroFieldsAreOmittedAsRuncOmitsThem() throws {
        let json = try Self.encoded(CgroupStats())
        #expect(json == #"{"blkio":{},"cpu":{"throttling":{},"usage":{"kernel":0,"user":0}},"cpuset":{"cpu_exclusive":0,"mem_exclusive":0,"mem_hardwall":0,"memory_migrate":0,"memory_pressure":0,"memory_spread_page":0,"memory_spread_slab":0,"sched_load_balance":0,"sched_relax_domain_level":0},"hugetlb":{},"intel_rdt":{},"memory":{"kernel":{"failcnt":0,"limit":0},"kernelTCP":{"failcnt":0,"limit":0},"swap":{"failcnt":0,"limit":0},"usage":{"failcnt":0,"limit":0}},"network_interfaces":null,"pids":{}}"#)
    }

    @Test func runcsOutputRoundTripsUnchanged() throws {
        let stats = try JSONDecoder().decode(CgroupStats.self, from: Data(Self.runcData.utf8))
        #expect(stats.cpuset.cpus == [0, 1])
        #expect(stats.cpuset.schedRelaxDomainLevel == -1)
        #expect(stats.memory.usage.limit == 67_108_864)
        #expect(stats.hugetlb["2MB"]?.failcnt == 0)
        #expect(try Self.encoded(stats) == Self.runcDataSorted)
    }

    @Test func cpusetListsParse() {
        #expect(CgroupStats.CPUSet.parseList("0-2,5") == [0, 1, 2, 5])
        #expect(CgroupStats.CPUSet.parseList("") == [])
        #expect(CgroupStats.CPUSet.parseList("2-1") == nil)
    }

    @Test func v1CpusetFilesAreReported() throws {
        let mirror = CgroupMirror()
        mirror.dir("cpuset/c", files: ["cpuset.cpus": "0-1,3\n", "cpuset.mems": "0\n", "cpuset.cpu_exclusive": "1\n", "cpuset.sched_load_balance": "1\n",
                                       "cpuset.sched_relax_domain_level": "-1\n", "cpuset.memory_pressure": "7\n"])
        let manager = CgroupfsManager(hierarchies: [CgroupHierarchy(dir: mirror.path("cpuset/c"), mountpoint: mirror.path("cpuset"), controllers: ["cpuset"], isV2: false)],
                                      isUnified: false)
        let cpuset = try manager.stats().cpuset
        #expect(cpuset.cpus == [0, 1, 3])
        #expect(cpuset.mems == [0])
        #expect(cpuset.cpuExclusive == 1)
        #expect(cpuset.schedLoadBalance == 1)
        #expect(cpuset.schedRelaxDomainLevel == -1)
        #expect(cpuset.memoryPressure == 7)
    }
}
