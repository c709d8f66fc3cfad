import TaurunLinux
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `events --stats` and OOM detection. Missing files (controller not mounted, older kernel) leave zeros.
extension CgroupfsManager {
    public func stats() throws(CgroupError) -> CgroupStats {
        isUnified ? try v2Stats() : try v1Stats()
    }

    func number(_ dir: String?, _ file: String) throws(CgroupError) -> UInt64? {
        guard let dir, let text = try CgroupFiles.readTrimmedIfPresent(CgroupFiles.join(dir, file)) else { return nil }
        if text == "max" { return UInt64.max }
        return UInt64(text)
    }

    func keyed(_ dir: String?, _ file: String) throws(CgroupError) -> [String: UInt64] {
        guard let dir, let text = try CgroupFiles.readTrimmedIfPresent(CgroupFiles.join(dir, file)) else { return [:] }
        return KeyedFile.parse(text)
    }

    func numberList(_ dir: String?, _ file: String) throws(CgroupError) -> [UInt64]? {
        guard let dir, let text = try CgroupFiles.readTrimmedIfPresent(CgroupFiles.join(dir, file)) else { return nil }
        return text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { UInt64($0) }
    }

    func v1Stats() throws(CgroupError) -> CgroupStats {
        var stats = CgroupStats()
        stats.cpu = try v1CPU()
        stats.memory = try v1Memory()
        if let cpuset = v1Dir("cpuset") { stats.cpuset = try v1Cpuset(cpuset) }
        let pids = v1Dir("pids")
        stats.pids.current = try number(pids, "pids.current") ?? 0
        stats.pids.limit = try number(pids, "pids.max").map { $0 == UInt64.max ? 0 : $0 } ?? 0
        stats.blkio = try v1Blkio()
        if let hugetlb = v1Dir("hugetlb") {
            for size in Self.hugepageSizes(in: hugetlb, suffix: ".limit_in_bytes") {
                var entry = CgroupStats.Hugetlb()
                entry.usage = try number(hugetlb, "hugetlb.\(size).usage_in_bytes") ?? 0
                entry.max = try number(hugetlb, "hugetlb.\(size).max_usage_in_bytes") ?? 0
                entry.failcnt = try number(hugetlb, "hugetlb.\(size).failcnt") ?? 0
                stats.hugetlb[size] = entry
            }
        }
        return stats
    }

    func v1CPU() throws(CgroupError) -> CgroupStats.CPU {
        var cpu = CgroupStats.CPU()
        let cpuacct = v1Dir("cpuacct")
        cpu.usage.total = try number(cpuacct, "cpuacct.usage") ?? 0
        cpu.usage.percpu = try numberList(cpuacct, "cpuacct.usage_percpu")
        cpu.usage.percpuKernel = try numberList(cpuacct, "cpuacct.usage_percpu_sys")
        cpu.usage.percpuUser = try numberList(cpuacct, "cpuacct.usage_percpu_user")
        // cpuacct.stat counts USER_HZ ticks (100 per second on Linux).
        let ticks = try keyed(cpuacct, "cpuacct.stat")
        cpu.usage.user = (ticks["user"] ?? 0) * 10_000_000
        cpu.usage.kernel = (ticks["system"] ?? 0) * 10_000_000
        let cpuStat = try keyed(v1Dir("cpu"), "cpu.stat")
        cpu.throttling.periods = cpuStat["nr_periods"] ?? 0
        cpu.throttling.throttledPeriods = cpuStat["nr_throttled"] ?? 0
        cpu.throttling.throttledTime = cpuStat["throttled_time"] ?? 0
        return cpu
    }

    func v1Memory() throws(CgroupError) -> CgroupStats.Memory {
        var memory = CgroupStats.Memory()
        let dir = v1Dir("memory")
        func entry(_ prefix: String) throws(CgroupError) -> CgroupStats.MemoryEntry {
            var entry = CgroupStats.MemoryEntry()
            entry.usage = try number(dir, prefix + ".usage_in_bytes") ?? 0
            entry.max = try number(dir, prefix + ".max_usage_in_bytes") ?? 0
            entry.limit = try number(dir, prefix + ".limit_in_bytes") ?? 0
            entry.failcnt = try number(dir, prefix + ".failcnt") ?? 0
            return entry
        }
        memory.usage = try entry("memory")
        memory.swap = try entry("memory.memsw")
        memory.kernel = try entry("memory.kmem")
        memory.kernelTCP = try entry("memory.kmem.tcp")
        memory.raw = try keyed(dir, "memory.stat")
        memory.cache = memory.raw["cache"] ?? 0
        return memory
    }

    func v1Blkio() throws(CgroupError) -> CgroupStats.Blkio {
        var blkio = CgroupStats.Blkio()
        let dir = v1Dir("blkio")
        // The CFQ/BFQ-era files are absent on blk-mq kernels; the throttle ones always count.
        if let bytes = try blkioEntries(dir, "blkio.io_service_bytes_recursive") {
            blkio.ioServiceBytesRecursive = bytes
        } else {
            blkio.ioServiceBytesRecursive = try blkioEntries(dir, "blkio.throttle.io_service_bytes_recursive")
        }
        if let serviced = try blkioEntries(dir, "blkio.io_serviced_recursive") {
            blkio.ioServicedRecursive = serviced
        } else {
            blkio.ioServicedRecursive = try blkioEntries(dir, "blkio.throttle.io_serviced_recursive")
        }
        return blkio
    }

    /// The cpuset files runc's GetStats reads (only v1 has the flag files).
    func v1Cpuset(_ dir: String) throws(CgroupError) -> CgroupStats.CPUSet {
        var cpuset = CgroupStats.CPUSet()
        cpuset.cpus = CgroupStats.CPUSet.parseList(try CgroupFiles.readTrimmedIfPresent(CgroupFiles.join(dir, "cpuset.cpus")) ?? "") ?? []
        cpuset.mems = CgroupStats.CPUSet.parseList(try CgroupFiles.readTrimmedIfPresent(CgroupFiles.join(dir, "cpuset.mems")) ?? "") ?? []
        cpuset.cpuExclusive = try number(dir, "cpuset.cpu_exclusive") ?? 0
        cpuset.memExclusive = try number(dir, "cpuset.mem_exclusive") ?? 0
        cpuset.memHardwall = try number(dir, "cpuset.mem_hardwall") ?? 0
        cpuset.memoryMigrate = try number(dir, "cpuset.memory_migrate") ?? 0
        cpuset.memoryPressure = try number(dir, "cpuset.memory_pressure") ?? 0
        cpuset.memorySpreadPage = try number(dir, "cpuset.memory_spread_page") ?? 0
        cpuset.memorySpreadSlab = try number(dir, "cpuset.memory_spread_slab") ?? 0
        cpuset.schedLoadBalance = try number(dir, "cpuset.sched_load_balance") ?? 0
        let relax = try CgroupFiles.readTrimmedIfPresent(CgroupFiles.join(dir, "cpuset.sched_relax_domain_level"))
        cpuset.schedRelaxDomainLevel = relax.flatMap { Int64($0) } ?? 0
        return cpuset
    }

    func v2Stats() throws(CgroupError) -> CgroupStats {
        var stats = CgroupStats()
        let dir = v2Hierarchy?.dir
        let cpuStat = try keyed(dir, "cpu.stat")
        stats.cpu.usage.total = (cpuStat["usage_usec"] ?? 0) * 1000
        stats.cpu.usage.user = (cpuStat["user_usec"] ?? 0) * 1000
        stats.cpu.usage.kernel = (cpuStat["system_usec"] ?? 0) * 1000
        stats.cpu.throttling.periods = cpuStat["nr_periods"] ?? 0
        stats.cpu.throttling.throttledPeriods = cpuStat["nr_throttled"] ?? 0
        stats.cpu.throttling.throttledTime = (cpuStat["throttled_usec"] ?? 0) * 1000
        stats.memory = try v2Memory(dir)
        stats.pids.current = try number(dir, "pids.current") ?? 0
        stats.pids.limit = try number(dir, "pids.max").map { $0 == UInt64.max ? 0 : $0 } ?? 0
        if let dir, let text = try CgroupFiles.readTrimmedIfPresent(CgroupFiles.join(dir, "io.stat")) {
            let io = Self.ioStat(text)
            stats.blkio.ioServiceBytesRecursive = io.bytes
            stats.blkio.ioServicedRecursive = io.ios
        }
        if let dir {
            for size in Self.hugepageSizes(in: dir, suffix: ".max") {
                var entry = CgroupStats.Hugetlb()
                entry.usage = try number(dir, "hugetlb.\(size).current") ?? 0
                entry.failcnt = try keyed(dir, "hugetlb.\(size).events")["max"] ?? 0
                stats.hugetlb[size] = entry
            }
        }
        return stats
    }

    func v2Memory(_ dir: String?) throws(CgroupError) -> CgroupStats.Memory {
        var memory = CgroupStats.Memory()
        let events = try keyed(dir, "memory.events")
        memory.usage.usage = try number(dir, "memory.current") ?? 0
        memory.usage.limit = try number(dir, "memory.max") ?? 0
        memory.usage.max = try number(dir, "memory.peak") ?? 0
        // v2 has no failcnt; "max" in memory.events counts the times usage hit memory.max.
        memory.usage.failcnt = events["max"] ?? 0
        let swapUsage = try number(dir, "memory.swap.current") ?? 0
        let swapLimit = try number(dir, "memory.swap.max") ?? 0
        // Report memory+swap like v1 (runc does the same).
        memory.swap.usage = memory.usage.usage &+ swapUsage
        memory.swap.limit = swapLimit == UInt64.max || memory.usage.limit == UInt64.max ? UInt64.max : swapLimit &+ memory.usage.limit
        memory.raw = try keyed(dir, "memory.stat")
        memory.cache = memory.raw["file"] ?? 0
        return memory
    }

    /// io.stat lines ("8:0 rbytes=4096 wbytes=0 rios=1 wios=0 ...") as v1's bytes and operations entries.
    static func ioStat(_ text: String) -> (bytes: [CgroupStats.BlkioEntry], ios: [CgroupStats.BlkioEntry]) {
        var bytes: [CgroupStats.BlkioEntry] = []
        var ios: [CgroupStats.BlkioEntry] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let device = fields.first else { continue }
            let numbers = device.split(separator: ":").compactMap { UInt64($0) }
            guard numbers.count == 2 else { continue }
            for field in fields.dropFirst() {
                let pair = field.split(separator: "=")
                guard pair.count == 2, let value = UInt64(pair[1]) else { continue }
                switch pair[0] {
                case "rbytes": bytes.append(.init(major: numbers[0], minor: numbers[1], op: "Read", value: value))
                case "wbytes": bytes.append(.init(major: numbers[0], minor: numbers[1], op: "Write", value: value))
                case "rios": ios.append(.init(major: numbers[0], minor: numbers[1], op: "Read", value: value))
                case "wios": ios.append(.init(major: numbers[0], minor: numbers[1], op: "Write", value: value))
                default: break
                }
            }
        }
        return (bytes, ios)
    }

    /// v1 blkio lines: "8:0 Read 4096" (plus a "Total N" line, skipped).
    func blkioEntries(_ dir: String?, _ file: String) throws(CgroupError) -> [CgroupStats.BlkioEntry]? {
        guard let dir, let text = try CgroupFiles.readTrimmedIfPresent(CgroupFiles.join(dir, file)) else { return nil }
        var entries: [CgroupStats.BlkioEntry] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let value = UInt64(fields[2]) else { continue }
            let numbers = fields[0].split(separator: ":").compactMap { UInt64($0) }
            guard numbers.count == 2 else { continue }
            entries.append(.init(major: numbers[0], minor: numbers[1], op: String(fields[1]), value: value))
        }
        return entries
    }

    /// Page sizes ("2MB", "1GB") for which the directory has hugetlb.<size><suffix> files.
    static func hugepageSizes(in dir: String, suffix: String) -> [String] {
        CgroupFiles.fileNames(dir).compactMap { name -> String? in
            guard name.hasPrefix("hugetlb."), name.hasSuffix(suffix) else { return nil }
            let size = name.dropFirst("hugetlb.".count).dropLast(suffix.count)
            guard !size.isEmpty, !size.contains(".") else { return nil }
            return String(size)
        }.sorted()
    }

    public func oomKillCount() -> UInt64? {
        if isUnified {
            return try? KeyedFile.value(of: "oom_kill", inFile: CgroupFiles.join(v2Hierarchy?.dir ?? "", "memory.events"))
        }
        guard let dir = v1Dir("memory") else { return nil }
        // memory.oom_control has "oom_kill N" since Linux 4.13.
        return try? KeyedFile.value(of: "oom_kill", inFile: CgroupFiles.join(dir, "memory.oom_control"))
    }

    public func openOOMNotifier() throws(CgroupError) -> Int32 {
        if isUnified {
            guard let dir = v2Hierarchy?.dir else {
                throw CgroupError(operation: "watch", path: "memory.events", reason: "no cgroup2 directory")
            }
            let events = CgroupFiles.join(dir, "memory.events")
            do { return try FileWatch.modifications(of: events) } catch {
                throw .syscall(error.call, events, errno: error.errno.rawValue)
            }
        }
        guard let dir = v1Dir("memory") else {
            throw CgroupError(operation: "watch", path: "memory.oom_control", reason: "the memory cgroup controller is not mounted")
        }
        let control = CgroupFiles.join(dir, "memory.oom_control")
        let eventFD: Int32
        do { eventFD = try Files.eventFD() } catch { throw .syscall("eventfd", control, errno: error.errno.rawValue) }
        let controlFD: Int32
        do { controlFD = try CgroupFiles.openDescriptor(control, O_RDONLY) } catch {
            Files.close(eventFD)
            throw error
        }
        // The registration holds its own reference: the oom_control fd can be closed right after.
        defer { Files.close(controlFD) }
        do throws(CgroupError) {
            try CgroupFiles.write(CgroupFiles.join(dir, "cgroup.event_control"), "\(eventFD) \(controlFD)")
        } catch {
            Files.close(eventFD)
            throw error
        }
        return eventFD
    }
}
