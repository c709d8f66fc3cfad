import TaurunOCI

/// Turns linux.resources into control-file writes, for v1 and for v2 (with runc's v1→v2 conversions).
/// Pure: reads nothing, so it is the validation step too. Devices are planned separately (DeviceRules).
enum ResourcePlan {
    // MARK: Conversions (runc libcontainer/cgroups/utils.go)

    /// cpu.shares [2, 262144] → cpu.weight [1, 10000].
    static func cpuWeight(fromShares shares: UInt64) -> UInt64 {
        shares == 0 ? 0 : 1 + ((shares - 2) * 9999) / 262_142
    }

    /// blkio.weight [10, 1000] → io.weight [1, 10000].
    static func ioWeight(fromBlkioWeight weight: UInt16) -> UInt64 {
        weight == 0 ? 0 : 1 + (UInt64(weight) - 10) * 9999 / 990
    }

    /// OCI swap is memory+swap (the v1 memsw meaning); memory.swap.max is swap alone.
    static func v2Swap(swap: Int64, memory: Int64) throws(CgroupError) -> Int64 {
        switch true {
        case memory == -1 && swap == 0: return -1
        case swap == -1 || swap == 0: return swap
        case memory == -1: return swap
        case memory == 0:
            throw .invalid("linux.resources.memory.swap", String(swap), "a swap limit needs a memory limit on cgroup v2")
        case memory < 0:
            throw .invalid("linux.resources.memory.limit", String(memory), "must be -1 (unlimited) or positive")
        case swap < memory:
            throw .invalid("linux.resources.memory.swap", String(swap), "memory+swap must be >= the memory limit \(memory)")
        default: return swap - memory
        }
    }

    /// v2 files spell "no limit" as "max"; runc maps -1 to it.
    static func v2Limit(_ value: Int64) -> String {
        value == -1 ? "max" : String(value)
    }

    // MARK: v1

    /// `currentMemoryLimit` (memory.limit_in_bytes now) decides the order of limit vs memsw writes, so neither
    /// write is ever below the other in the kernel's check (runc setMemoryAndSwap).
    static func v1(_ resources: LinuxResources, currentMemoryLimit: UInt64?) throws(CgroupError) -> [CgroupWrite] {
        var writes: [CgroupWrite] = []
        if let cpu = resources.cpu {
            if let cpus = cpu.cpus, !cpus.isEmpty {
                writes.append(.init(target: .v1("cpuset"), file: "cpuset.cpus", value: cpus, jsonPath: "linux.resources.cpu.cpus"))
            }
            if let mems = cpu.mems, !mems.isEmpty {
                writes.append(.init(target: .v1("cpuset"), file: "cpuset.mems", value: mems, jsonPath: "linux.resources.cpu.mems"))
            }
        }
        if let memory = resources.memory { writes += try v1Memory(memory, currentMemoryLimit: currentMemoryLimit) }
        if let cpu = resources.cpu { writes += try v1CPU(cpu) }
        if let pids = resources.pids {
            writes.append(.init(target: .v1("pids"), file: "pids.max", value: pids.limit > 0 ? String(pids.limit) : "max",
                                jsonPath: "linux.resources.pids.limit"))
        }
        if let blockIO = resources.blockIO { writes += try v1BlockIO(blockIO) }
        for (index, limit) in (resources.hugepageLimits ?? []).enumerated() {
            try checkPageSize(limit.pageSize, index: index)
            writes.append(.init(target: .v1("hugetlb"), file: "hugetlb.\(limit.pageSize).limit_in_bytes", value: String(limit.limit),
                                jsonPath: "linux.resources.hugepageLimits[\(index)]", optionalFeature: true))
        }
        if let network = resources.network {
            if let classID = network.classID {
                writes.append(.init(target: .v1("net_cls"), file: "net_cls.classid", value: String(classID), jsonPath: "linux.resources.network.classID"))
            }
            for (index, priority) in (network.priorities ?? []).enumerated() {
                try checkFileToken(priority.name, jsonPath: "linux.resources.network.priorities[\(index)].name")
                writes.append(.init(target: .v1("net_prio"), file: "net_prio.ifpriomap", value: "\(priority.name) \(priority.priority)",
                                    jsonPath: "linux.resources.network.priorities[\(index)]"))
            }
        }
        writes += try rdma(resources.rdma, target: .v1("rdma"))
        if let unified = resources.unified, !unified.isEmpty {
            throw .invalid("linux.resources.unified", unified.keys.sorted().joined(separator: ", "), "unified (cgroup v2) keys need a cgroup2 hierarchy; this host has only cgroup v1")
        }
        return writes
    }

    static func v1Memory(_ memory: LinuxMemory, currentMemoryLimit: UInt64?) throws(CgroupError) -> [CgroupWrite] {
        var writes: [CgroupWrite] = []
        var swap = memory.swap ?? 0
        let limit = memory.limit ?? 0
        if limit == -1 && swap == 0 { swap = -1 }  // unlimited memory implies unlimited memory+swap (runc)
        for (name, value) in [("limit", limit), ("swap", swap), ("reservation", memory.reservation ?? 0)] where value < -1 {
            throw .invalid("linux.resources.memory." + name, String(value), "must be -1 (unlimited) or positive")
        }
        if limit > 0, swap > 0, swap < limit {
            throw .invalid("linux.resources.memory.swap", String(swap), "memory+swap must be >= the memory limit \(limit)")
        }
        let limitWrite = CgroupWrite(target: .v1("memory"), file: "memory.limit_in_bytes", value: String(limit), jsonPath: "linux.resources.memory.limit")
        // Unlimited swap needs no swap accounting; a real swap limit does.
        let swapWrite = CgroupWrite(target: .v1("memory"), file: "memory.memsw.limit_in_bytes", value: String(swap),
                                    jsonPath: "linux.resources.memory.swap", optionalFeature: swap > 0, skipIfMissing: swap == -1)
        switch (limit != 0, swap != 0) {
        case (true, true):
            // Raising: memsw first (it must stay >= limit); lowering: limit first.
            if swap == -1 || (currentMemoryLimit ?? UInt64.max) < UInt64(swap) {
                writes += [swapWrite, limitWrite]
            } else {
                writes += [limitWrite, swapWrite]
            }
        case (true, false): writes.append(limitWrite)
        case (false, true): writes.append(swapWrite)
        case (false, false): break
        }
        if let reservation = memory.reservation, reservation != 0 {
            writes.append(.init(target: .v1("memory"), file: "memory.soft_limit_in_bytes", value: String(reservation), jsonPath: "linux.resources.memory.reservation"))
        }
        // memory.kernel is deprecated and ignored, as in runc 1.2 (the kernel dropped kmem limits in 5.16 / 6.x).
        if let kernelTCP = memory.kernelTCP, kernelTCP != 0 {
            writes.append(.init(target: .v1("memory"), file: "memory.kmem.tcp.limit_in_bytes", value: String(kernelTCP),
                                jsonPath: "linux.resources.memory.kernelTCP", optionalFeature: true))
        }
        if memory.disableOOMKiller == true {
            writes.append(.init(target: .v1("memory"), file: "memory.oom_control", value: "1", jsonPath: "linux.resources.memory.disableOOMKiller"))
        }
        if let swappiness = memory.swappiness, swappiness != UInt64.max {  // -1 decoded as UInt64 wraps to max: "unset"
            guard swappiness <= 100 else {
                throw .invalid("linux.resources.memory.swappiness", String(swappiness), "valid range is 0-100")
            }
            writes.append(.init(target: .v1("memory"), file: "memory.swappiness", value: String(swappiness), jsonPath: "linux.resources.memory.swappiness"))
        }
        if let useHierarchy = memory.useHierarchy {
            writes.append(.init(target: .v1("memory"), file: "memory.use_hierarchy", value: useHierarchy ? "1" : "0", jsonPath: "linux.resources.memory.useHierarchy"))
        }
        return writes
    }

    static func v1CPU(_ cpu: LinuxCPU) throws(CgroupError) -> [CgroupWrite] {
        var writes: [CgroupWrite] = []
        if let shares = cpu.shares, shares != 0 {
            writes.append(.init(target: .v1("cpu"), file: "cpu.shares", value: String(shares), jsonPath: "linux.resources.cpu.shares", verifyReadBack: true))
        }
        if let period = cpu.period, period != 0 {
            try checkPeriod(period)
            writes.append(.init(target: .v1("cpu"), file: "cpu.cfs_period_us", value: String(period), jsonPath: "linux.resources.cpu.period",
                                retryAfterOthersOnEINVAL: cpu.quota != nil && cpu.quota != 0))
        }
        if let quota = cpu.quota, quota != 0 {
            guard quota == -1 || quota >= 1000 else {
                throw .invalid("linux.resources.cpu.quota", String(quota), "must be -1 (unlimited) or at least 1000 microseconds")
            }
            writes.append(.init(target: .v1("cpu"), file: "cpu.cfs_quota_us", value: String(quota), jsonPath: "linux.resources.cpu.quota"))
        }
        if let burst = cpu.burst {
            writes.append(.init(target: .v1("cpu"), file: "cpu.cfs_burst_us", value: String(burst), jsonPath: "linux.resources.cpu.burst", optionalFeature: true))
        }
        if let idle = cpu.idle {
            guard idle == 0 || idle == 1 else { throw .invalid("linux.resources.cpu.idle", String(idle), "must be 0 or 1") }
            writes.append(.init(target: .v1("cpu"), file: "cpu.idle", value: String(idle), jsonPath: "linux.resources.cpu.idle", optionalFeature: true))
        }
        if let period = cpu.realtimePeriod, period != 0 {
            writes.append(.init(target: .v1("cpu"), file: "cpu.rt_period_us", value: String(period), jsonPath: "linux.resources.cpu.realtimePeriod", optionalFeature: true))
        }
        if let runtime = cpu.realtimeRuntime, runtime != 0 {
            writes.append(.init(target: .v1("cpu"), file: "cpu.rt_runtime_us", value: String(runtime), jsonPath: "linux.resources.cpu.realtimeRuntime", optionalFeature: true))
        }
        return writes
    }

    static func v1BlockIO(_ blockIO: LinuxBlockIO) throws(CgroupError) -> [CgroupWrite] {
        var writes: [CgroupWrite] = []
        if let weight = blockIO.weight, weight != 0 {
            try checkBlkioWeight(weight, jsonPath: "linux.resources.blockIO.weight")
            writes.append(.init(target: .v1("blkio"), file: "blkio.weight", value: String(weight), jsonPath: "linux.resources.blockIO.weight",
                                fallback: .init(file: "blkio.bfq.weight", value: String(weight))))
        }
        if let leafWeight = blockIO.leafWeight, leafWeight != 0 {
            try checkBlkioWeight(leafWeight, jsonPath: "linux.resources.blockIO.leafWeight")
            writes.append(.init(target: .v1("blkio"), file: "blkio.leaf_weight", value: String(leafWeight), jsonPath: "linux.resources.blockIO.leafWeight", optionalFeature: true))
        }
        for (index, device) in (blockIO.weightDevice ?? []).enumerated() {
            let path = "linux.resources.blockIO.weightDevice[\(index)]"
            if let weight = device.weight, weight != 0 {
                try checkBlkioWeight(weight, jsonPath: path + ".weight")
                writes.append(.init(target: .v1("blkio"), file: "blkio.weight_device", value: "\(device.major):\(device.minor) \(weight)", jsonPath: path,
                                    fallback: .init(file: "blkio.bfq.weight_device", value: "\(device.major):\(device.minor) \(weight)")))
            }
            if let leafWeight = device.leafWeight, leafWeight != 0 {
                try checkBlkioWeight(leafWeight, jsonPath: path + ".leafWeight")
                writes.append(.init(target: .v1("blkio"), file: "blkio.leaf_weight_device", value: "\(device.major):\(device.minor) \(leafWeight)", jsonPath: path, optionalFeature: true))
            }
        }
        let throttles: [(String, [LinuxThrottleDevice]?, String)] = [
            ("throttleReadBpsDevice", blockIO.throttleReadBpsDevice, "blkio.throttle.read_bps_device"),
            ("throttleWriteBpsDevice", blockIO.throttleWriteBpsDevice, "blkio.throttle.write_bps_device"),
            ("throttleReadIOPSDevice", blockIO.throttleReadIOPSDevice, "blkio.throttle.read_iops_device"),
            ("throttleWriteIOPSDevice", blockIO.throttleWriteIOPSDevice, "blkio.throttle.write_iops_device"),
        ]
        for (key, devices, file) in throttles {
            for (index, device) in (devices ?? []).enumerated() {
                try checkDeviceNumbers(device.major, device.minor, jsonPath: "linux.resources.blockIO.\(key)[\(index)]")
                writes.append(.init(target: .v1("blkio"), file: file, value: "\(device.major):\(device.minor) \(device.rate)",
                                    jsonPath: "linux.resources.blockIO.\(key)[\(index)]"))
            }
        }
        return writes
    }

    // MARK: v2

    static func v2(_ resources: LinuxResources) throws(CgroupError) -> [CgroupWrite] {
        var writes: [CgroupWrite] = []
        if let pids = resources.pids {
            writes.append(.init(target: .v2("pids"), file: "pids.max", value: pids.limit > 0 ? String(pids.limit) : "max", jsonPath: "linux.resources.pids.limit"))
        }
        if let memory = resources.memory { writes += try v2Memory(memory) }
        if let blockIO = resources.blockIO { writes += try v2BlockIO(blockIO) }
        if let cpu = resources.cpu { writes += try v2CPU(cpu) }
        for (index, limit) in (resources.hugepageLimits ?? []).enumerated() {
            try checkPageSize(limit.pageSize, index: index)
            writes.append(.init(target: .v2("hugetlb"), file: "hugetlb.\(limit.pageSize).max", value: String(limit.limit),
                                jsonPath: "linux.resources.hugepageLimits[\(index)]", optionalFeature: true))
        }
        if let network = resources.network, network.classID != nil || !(network.priorities ?? []).isEmpty {
            throw .invalid("linux.resources.network", nil, "net_cls/net_prio exist only in cgroup v1; use a network (eBPF/tc) setup on cgroup v2")
        }
        writes += try rdma(resources.rdma, target: .v2("rdma"))
        writes += try unified(resources.unified)
        return writes
    }

    static func v2Memory(_ memory: LinuxMemory) throws(CgroupError) -> [CgroupWrite] {
        var writes: [CgroupWrite] = []
        let limit = memory.limit ?? 0
        let swapValue = memory.swap ?? 0
        for (name, value) in [("limit", limit), ("swap", swapValue), ("reservation", memory.reservation ?? 0)] where value < -1 {
            throw .invalid("linux.resources.memory." + name, String(value), "must be -1 (unlimited) or positive")
        }
        if limit != 0 || swapValue != 0 || (memory.reservation ?? 0) != 0 {
            let swap = try v2Swap(swap: swapValue, memory: limit)
            var swapText: String? = swap == 0 ? nil : v2Limit(swap)
            if swap == 0, swapValue > 0 { swapText = "0" }  // memory == memory+swap: no swap at all
            if let swapText {
                // runc: without swap accounting, "max" and "0" are already true, so a missing file is fine.
                let noSwapLimit = swapText == "max" || swapText == "0"
                writes.append(.init(target: .v2("memory"), file: "memory.swap.max", value: swapText, jsonPath: "linux.resources.memory.swap",
                                    optionalFeature: !noSwapLimit, skipIfMissing: noSwapLimit))
            }
            if limit != 0 {
                writes.append(.init(target: .v2("memory"), file: "memory.max", value: v2Limit(limit), jsonPath: "linux.resources.memory.limit"))
            }
            if let reservation = memory.reservation, reservation != 0 {
                writes.append(.init(target: .v2("memory"), file: "memory.low", value: v2Limit(reservation), jsonPath: "linux.resources.memory.reservation"))
            }
        }
        if let swappiness = memory.swappiness, swappiness != UInt64.max {
            throw .invalid("linux.resources.memory.swappiness", String(swappiness), "cgroup v2 has no per-cgroup swappiness")
        }
        if let kernelTCP = memory.kernelTCP, kernelTCP != 0 {
            throw .invalid("linux.resources.memory.kernelTCP", String(kernelTCP), "cgroup v2 has no separate TCP memory limit")
        }
        if memory.disableOOMKiller == true {
            throw .invalid("linux.resources.memory.disableOOMKiller", "true", "cgroup v2 cannot disable the OOM killer")
        }
        if memory.useHierarchy == false {
            throw .invalid("linux.resources.memory.useHierarchy", "false", "cgroup v2 is always hierarchical")
        }
        return writes
    }

    static func v2CPU(_ cpu: LinuxCPU) throws(CgroupError) -> [CgroupWrite] {
        var writes: [CgroupWrite] = []
        if let idle = cpu.idle {
            guard idle == 0 || idle == 1 else { throw .invalid("linux.resources.cpu.idle", String(idle), "must be 0 or 1") }
            writes.append(.init(target: .v2("cpu"), file: "cpu.idle", value: String(idle), jsonPath: "linux.resources.cpu.idle", optionalFeature: true))
        }
        // An idle cgroup has no weight of its own (the kernel refuses cpu.weight writes then, as runc notes).
        if let shares = cpu.shares, shares != 0, cpu.idle != 1 {
            guard shares >= 2, shares <= 262_144 else {
                throw .invalid("linux.resources.cpu.shares", String(shares), "valid range is 2-262144")
            }
            writes.append(.init(target: .v2("cpu"), file: "cpu.weight", value: String(cpuWeight(fromShares: shares)), jsonPath: "linux.resources.cpu.shares"))
        }
        let quota = cpu.quota ?? 0
        let period = cpu.period ?? 0
        if quota != 0 || period != 0 {
            if period != 0 { try checkPeriod(period) }
            guard quota == 0 || quota == -1 || quota >= 1000 else {
                throw .invalid("linux.resources.cpu.quota", String(quota), "must be -1 (unlimited) or at least 1000 microseconds")
            }
            var value = quota > 0 ? String(quota) : "max"
            if period != 0 { value += " \(period)" }
            writes.append(.init(target: .v2("cpu"), file: "cpu.max", value: value, jsonPath: "linux.resources.cpu.quota"))
        }
        if let burst = cpu.burst {
            writes.append(.init(target: .v2("cpu"), file: "cpu.max.burst", value: String(burst), jsonPath: "linux.resources.cpu.burst", optionalFeature: true))
        }
        if (cpu.realtimePeriod ?? 0) != 0 || (cpu.realtimeRuntime ?? 0) != 0 {
            throw .invalid("linux.resources.cpu.realtimeRuntime", nil, "real-time CPU limits exist only in cgroup v1")
        }
        if let cpus = cpu.cpus, !cpus.isEmpty {
            writes.append(.init(target: .v2("cpuset"), file: "cpuset.cpus", value: cpus, jsonPath: "linux.resources.cpu.cpus"))
        }
        if let mems = cpu.mems, !mems.isEmpty {
            writes.append(.init(target: .v2("cpuset"), file: "cpuset.mems", value: mems, jsonPath: "linux.resources.cpu.mems"))
        }
        return writes
    }

    static func v2BlockIO(_ blockIO: LinuxBlockIO) throws(CgroupError) -> [CgroupWrite] {
        var writes: [CgroupWrite] = []
        if let weight = blockIO.weight, weight != 0 {
            try checkBlkioWeight(weight, jsonPath: "linux.resources.blockIO.weight")
            // BFQ takes the v1 scale unchanged; the generic io.weight needs the conversion (runc setIo).
            writes.append(.init(target: .v2("io"), file: "io.bfq.weight", value: String(weight), jsonPath: "linux.resources.blockIO.weight",
                                fallback: .init(file: "io.weight", value: String(ioWeight(fromBlkioWeight: weight)))))
        }
        if let leafWeight = blockIO.leafWeight, leafWeight != 0 {
            throw .invalid("linux.resources.blockIO.leafWeight", String(leafWeight), "cgroup v2 has no leaf weight")
        }
        for (index, device) in (blockIO.weightDevice ?? []).enumerated() {
            let path = "linux.resources.blockIO.weightDevice[\(index)]"
            if let leafWeight = device.leafWeight, leafWeight != 0 {
                throw .invalid(path + ".leafWeight", String(leafWeight), "cgroup v2 has no leaf weight")
            }
            if let weight = device.weight, weight != 0 {
                try checkBlkioWeight(weight, jsonPath: path + ".weight")
                writes.append(.init(target: .v2("io"), file: "io.bfq.weight", value: "\(device.major):\(device.minor) \(weight)", jsonPath: path,
                                    optionalFeature: true))
            }
        }
        let throttles: [(String, [LinuxThrottleDevice]?, String)] = [
            ("throttleReadBpsDevice", blockIO.throttleReadBpsDevice, "rbps"),
            ("throttleWriteBpsDevice", blockIO.throttleWriteBpsDevice, "wbps"),
            ("throttleReadIOPSDevice", blockIO.throttleReadIOPSDevice, "riops"),
            ("throttleWriteIOPSDevice", blockIO.throttleWriteIOPSDevice, "wiops"),
        ]
        for (key, devices, name) in throttles {
            for (index, device) in (devices ?? []).enumerated() {
                try checkDeviceNumbers(device.major, device.minor, jsonPath: "linux.resources.blockIO.\(key)[\(index)]")
                let rate = device.rate == 0 ? "max" : String(device.rate)
                writes.append(.init(target: .v2("io"), file: "io.max", value: "\(device.major):\(device.minor) \(name)=\(rate)",
                                    jsonPath: "linux.resources.blockIO.\(key)[\(index)]"))
            }
        }
        return writes
    }

    /// linux.resources.unified: file name → value, written as given into the cgroup2 directory.
    static func unified(_ unified: [String: String]?) throws(CgroupError) -> [CgroupWrite] {
        var writes: [CgroupWrite] = []
        for key in (unified ?? [:]).keys.sorted() {
            let path = "linux.resources.unified[\"\(key)\"]"
            guard let value = unified?[key] else { continue }
            guard !key.contains("/"), key != ".", key != "..", !key.isEmpty else {
                throw .invalid(path, "\"\(key)\"", "must be a file name (no slashes)")
            }
            guard let dot = key.firstIndex(of: "."), dot != key.startIndex else {
                throw .invalid(path, "\"\(key)\"", "must have the form CONTROLLER.PARAMETER")
            }
            if key == "cgroup.procs" || key == "cgroup.threads" || key == "cgroup.subtree_control" || key == "cgroup.kill" {
                throw .invalid(path, "\"\(key)\"", "is managed by the runtime, not a resource")
            }
            writes.append(.init(target: .v2(String(key[..<dot])), file: key, value: value, jsonPath: path))
        }
        return writes
    }

    static func rdma(_ rdma: [String: LinuxRdma]?, target: CgroupWrite.Target) throws(CgroupError) -> [CgroupWrite] {
        var writes: [CgroupWrite] = []
        for device in (rdma ?? [:]).keys.sorted() {
            guard let limit = rdma?[device] else { continue }
            let path = "linux.resources.rdma[\"\(device)\"]"
            try checkFileToken(device, jsonPath: path)
            var value = device
            if let handles = limit.hcaHandles { value += " hca_handle=\(handles)" }
            if let objects = limit.hcaObjects { value += " hca_object=\(objects)" }
            if value == device { continue }
            writes.append(.init(target: target, file: "rdma.max", value: value, jsonPath: path))
        }
        return writes
    }

    // MARK: Checks

    static func checkPeriod(_ period: UInt64) throws(CgroupError) {
        guard period >= 1000, period <= 1_000_000 else {
            throw .invalid("linux.resources.cpu.period", String(period), "valid range is 1000-1000000 microseconds")
        }
    }

    static func checkBlkioWeight(_ weight: UInt16, jsonPath: String) throws(CgroupError) {
        guard weight >= 10, weight <= 1000 else { throw .invalid(jsonPath, String(weight), "valid range is 10-1000") }
    }

    static func checkDeviceNumbers(_ major: Int64, _ minor: Int64, jsonPath: String) throws(CgroupError) {
        guard major >= 0, minor >= 0, major <= Int64(UInt32.max), minor <= Int64(UInt32.max) else {
            throw .invalid(jsonPath, "\(major):\(minor)", "major and minor must be device numbers")
        }
    }

    static func checkPageSize(_ pageSize: String, index: Int) throws(CgroupError) {
        let digits = pageSize.prefix(while: \.isNumber)
        let unit = pageSize.dropFirst(digits.count)
        guard !digits.isEmpty, ["KB", "MB", "GB", "TB", "PB"].contains(String(unit)) else {
            throw .invalid("linux.resources.hugepageLimits[\(index)].pageSize", "\"\(pageSize)\"", "must look like \"2MB\" or \"1GB\"")
        }
    }

    /// A value that ends up inside a space-separated control-file line must be one token.
    static func checkFileToken(_ token: String, jsonPath: String) throws(CgroupError) {
        guard !token.isEmpty, !token.contains(where: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "/" }) else {
            throw .invalid(jsonPath, "\"\(token)\"", "must be a single name without spaces or slashes")
        }
    }
}
