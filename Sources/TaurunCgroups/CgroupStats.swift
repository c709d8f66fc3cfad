/// Resource usage in the shape of runc's `events --stats` data (runc types/events.go), so the JSON the runtime
/// encodes matches what runc prints: the same keys, and the same fields left out when zero (Go's `omitempty`
/// on those fields), `cpuset` with its flag files, an empty `intel_rdt` and a null `network_interfaces`.
/// Decoding takes runc's output back (absent fields are zero).
public struct CgroupStats: Codable, Sendable, Equatable {
    public var cpu = CPU()
    public var cpuset = CPUSet()
    public var memory = Memory()
    public var pids = Pids()
    public var blkio = Blkio()
    public var hugetlb: [String: Hugetlb] = [:]

    public init() {}

    enum CodingKeys: String, CodingKey {
        case cpu, cpuset, memory, pids, blkio, hugetlb
        case intelRdt = "intel_rdt"
        case networkInterfaces = "network_interfaces"
    }

    /// runc's IntelRdt has only omitempty fields; taurun does not manage resctrl, so it is always `{}`.
    struct Empty: Codable {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        cpu = try container.decodeIfPresent(CPU.self, forKey: .cpu) ?? CPU()
        cpuset = try container.decodeIfPresent(CPUSet.self, forKey: .cpuset) ?? CPUSet()
        memory = try container.decodeIfPresent(Memory.self, forKey: .memory) ?? Memory()
        pids = try container.decodeIfPresent(Pids.self, forKey: .pids) ?? Pids()
        blkio = try container.decodeIfPresent(Blkio.self, forKey: .blkio) ?? Blkio()
        hugetlb = try container.decodeIfPresent([String: Hugetlb].self, forKey: .hugetlb) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(cpu, forKey: .cpu)
        try container.encode(cpuset, forKey: .cpuset)
        try container.encode(memory, forKey: .memory)
        try container.encode(pids, forKey: .pids)
        try container.encode(blkio, forKey: .blkio)
        try container.encode(hugetlb, forKey: .hugetlb)
        try container.encode(Empty(), forKey: .intelRdt)
        try container.encodeNil(forKey: .networkInterfaces)
    }

    public struct CPU: Codable, Sendable, Equatable {
        public var usage = Usage()
        public var throttling = Throttling()
        public init() {}

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            usage = try container.decodeIfPresent(Usage.self, forKey: .usage) ?? Usage()
            throttling = try container.decodeIfPresent(Throttling.self, forKey: .throttling) ?? Throttling()
        }

        /// Nanoseconds. total and the per-cpu lists are omitted when zero/empty; kernel and user never.
        public struct Usage: Codable, Sendable, Equatable {
            public var total: UInt64 = 0
            public var percpu: [UInt64]?
            public var percpuKernel: [UInt64]?
            public var percpuUser: [UInt64]?
            public var kernel: UInt64 = 0
            public var user: UInt64 = 0
            public init() {}

            enum CodingKeys: String, CodingKey {
                case total, percpu, kernel, user
                case percpuKernel = "percpu_kernel"
                case percpuUser = "percpu_user"
            }

            public init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                total = try container.decodeIfPresent(UInt64.self, forKey: .total) ?? 0
                percpu = try container.decodeIfPresent([UInt64].self, forKey: .percpu)
                percpuKernel = try container.decodeIfPresent([UInt64].self, forKey: .percpuKernel)
                percpuUser = try container.decodeIfPresent([UInt64].self, forKey: .percpuUser)
                kernel = try container.decodeIfPresent(UInt64.self, forKey: .kernel) ?? 0
                user = try container.decodeIfPresent(UInt64.self, forKey: .user) ?? 0
            }

            public func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encodeUnlessZero(total, forKey: .total)
                try container.encodeUnlessEmpty(percpu, forKey: .percpu)
                try container.encodeUnlessEmpty(percpuKernel, forKey: .percpuKernel)
                try container.encodeUnlessEmpty(percpuUser, forKey: .percpuUser)
                try container.encode(kernel, forKey: .kernel)
                try container.encode(user, forKey: .user)
            }
        }

        /// Every field omitted when zero (an unthrottled container prints `{}`, as with runc).
        public struct Throttling: Codable, Sendable, Equatable {
            public var periods: UInt64 = 0
            public var throttledPeriods: UInt64 = 0
            /// Nanoseconds.
            public var throttledTime: UInt64 = 0
            public init() {}

            enum CodingKeys: String, CodingKey {
                case periods, throttledPeriods, throttledTime
            }

            public init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                periods = try container.decodeIfPresent(UInt64.self, forKey: .periods) ?? 0
                throttledPeriods = try container.decodeIfPresent(UInt64.self, forKey: .throttledPeriods) ?? 0
                throttledTime = try container.decodeIfPresent(UInt64.self, forKey: .throttledTime) ?? 0
            }

            public func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encodeUnlessZero(periods, forKey: .periods)
                try container.encodeUnlessZero(throttledPeriods, forKey: .throttledPeriods)
                try container.encodeUnlessZero(throttledTime, forKey: .throttledTime)
            }
        }
    }

    /// The v1 cpuset files (runc fs/cpuset.go GetStats). cpus and mems are omitted when empty; the flags never.
    public struct CPUSet: Codable, Sendable, Equatable {
        public var cpus: [UInt16] = []
        public var cpuExclusive: UInt64 = 0
        public var mems: [UInt16] = []
        public var memExclusive: UInt64 = 0
        public var memHardwall: UInt64 = 0
        public var memoryMigrate: UInt64 = 0
        public var memoryPressure: UInt64 = 0
        public var memorySpreadPage: UInt64 = 0
        public var memorySpreadSlab: UInt64 = 0
        public var schedLoadBalance: UInt64 = 0
        public var schedRelaxDomainLevel: Int64 = 0
        public init() {}

        enum CodingKeys: String, CodingKey {
            case cpus, mems
            case cpuExclusive = "cpu_exclusive"
            case memExclusive = "mem_exclusive"
            case memHardwall = "mem_hardwall"
            case memoryMigrate = "memory_migrate"
            case memoryPressure = "memory_pressure"
            case memorySpreadPage = "memory_spread_page"
            case memorySpreadSlab = "memory_spread_slab"
            case schedLoadBalance = "sched_load_balance"
            case schedRelaxDomainLevel = "sched_relax_domain_level"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            cpus = try container.decodeIfPresent([UInt16].self, forKey: .cpus) ?? []
            mems = try container.decodeIfPresent([UInt16].self, forKey: .mems) ?? []
            cpuExclusive = try container.decodeIfPresent(UInt64.self, forKey: .cpuExclusive) ?? 0
            memExclusive = try container.decodeIfPresent(UInt64.self, forKey: .memExclusive) ?? 0
            memHardwall = try container.decodeIfPresent(UInt64.self, forKey: .memHardwall) ?? 0
            memoryMigrate = try container.decodeIfPresent(UInt64.self, forKey: .memoryMigrate) ?? 0
            memoryPressure = try container.decodeIfPresent(UInt64.self, forKey: .memoryPressure) ?? 0
            memorySpreadPage = try container.decodeIfPresent(UInt64.self, forKey: .memorySpreadPage) ?? 0
            memorySpreadSlab = try container.decodeIfPresent(UInt64.self, forKey: .memorySpreadSlab) ?? 0
            schedLoadBalance = try container.decodeIfPresent(UInt64.self, forKey: .schedLoadBalance) ?? 0
            schedRelaxDomainLevel = try container.decodeIfPresent(Int64.self, forKey: .schedRelaxDomainLevel) ?? 0
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeUnlessEmpty(cpus, forKey: .cpus)
            try container.encode(cpuExclusive, forKey: .cpuExclusive)
            try container.encodeUnlessEmpty(mems, forKey: .mems)
            try container.encode(memExclusive, forKey: .memExclusive)
            try container.encode(memHardwall, forKey: .memHardwall)
            try container.encode(memoryMigrate, forKey: .memoryMigrate)
            try container.encode(memoryPressure, forKey: .memoryPressure)
            try container.encode(memorySpreadPage, forKey: .memorySpreadPage)
            try container.encode(memorySpreadSlab, forKey: .memorySpreadSlab)
            try container.encode(schedLoadBalance, forKey: .schedLoadBalance)
            try container.encode(schedRelaxDomainLevel, forKey: .schedRelaxDomainLevel)
        }

        /// A cpuset list ("0-3,8") as the numbers it names; nil if it is not one.
        static func parseList(_ text: String) -> [UInt16]? {
            var result: [UInt16] = []
            for part in text.split(separator: ",") {
                let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
                guard (1...2).contains(bounds.count), let low = UInt16(bounds[0]), let high = UInt16(bounds[bounds.count - 1]), low <= high else {
                    return nil
                }
                result += Array(low...high)
            }
            return result
        }
    }

    /// limit and failcnt always; usage and max omitted when zero.
    public struct MemoryEntry: Codable, Sendable, Equatable {
        public var limit: UInt64 = 0
        public var usage: UInt64 = 0
        public var max: UInt64 = 0
        public var failcnt: UInt64 = 0
        public init() {}

        enum CodingKeys: String, CodingKey {
            case limit, usage, max, failcnt
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            limit = try container.decodeIfPresent(UInt64.self, forKey: .limit) ?? 0
            usage = try container.decodeIfPresent(UInt64.self, forKey: .usage) ?? 0
            max = try container.decodeIfPresent(UInt64.self, forKey: .max) ?? 0
            failcnt = try container.decodeIfPresent(UInt64.self, forKey: .failcnt) ?? 0
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(limit, forKey: .limit)
            try container.encodeUnlessZero(usage, forKey: .usage)
            try container.encodeUnlessZero(max, forKey: .max)
            try container.encode(failcnt, forKey: .failcnt)
        }
    }

    /// cache and raw omitted when zero/empty.
    public struct Memory: Codable, Sendable, Equatable {
        public var cache: UInt64 = 0
        public var usage = MemoryEntry()
        /// memory+swap, as v1 reports it (v2 values are summed to match).
        public var swap = MemoryEntry()
        public var kernel = MemoryEntry()
        public var kernelTCP = MemoryEntry()
        /// memory.stat as read.
        public var raw: [String: UInt64] = [:]
        public init() {}

        enum CodingKeys: String, CodingKey {
            case cache, usage, swap, kernel, kernelTCP, raw
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            cache = try container.decodeIfPresent(UInt64.self, forKey: .cache) ?? 0
            usage = try container.decodeIfPresent(MemoryEntry.self, forKey: .usage) ?? MemoryEntry()
            swap = try container.decodeIfPresent(MemoryEntry.self, forKey: .swap) ?? MemoryEntry()
            kernel = try container.decodeIfPresent(MemoryEntry.self, forKey: .kernel) ?? MemoryEntry()
            kernelTCP = try container.decodeIfPresent(MemoryEntry.self, forKey: .kernelTCP) ?? MemoryEntry()
            raw = try container.decodeIfPresent([String: UInt64].self, forKey: .raw) ?? [:]
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeUnlessZero(cache, forKey: .cache)
            try container.encode(usage, forKey: .usage)
            try container.encode(swap, forKey: .swap)
            try container.encode(kernel, forKey: .kernel)
            try container.encode(kernelTCP, forKey: .kernelTCP)
            if !raw.isEmpty { try container.encode(raw, forKey: .raw) }
        }
    }

    /// Both omitted when zero (limit 0 means unlimited).
    public struct Pids: Codable, Sendable, Equatable {
        public var current: UInt64 = 0
        /// 0 when unlimited ("max").
        public var limit: UInt64 = 0
        public init() {}

        enum CodingKeys: String, CodingKey {
            case current, limit
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            current = try container.decodeIfPresent(UInt64.self, forKey: .current) ?? 0
            limit = try container.decodeIfPresent(UInt64.self, forKey: .limit) ?? 0
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeUnlessZero(current, forKey: .current)
            try container.encodeUnlessZero(limit, forKey: .limit)
        }
    }

    /// Every field omitted when zero/empty.
    public struct BlkioEntry: Codable, Sendable, Equatable {
        public var major: UInt64
        public var minor: UInt64
        public var op: String
        public var value: UInt64
        public init(major: UInt64, minor: UInt64, op: String, value: UInt64) {
            self.major = major
            self.minor = minor
            self.op = op
            self.value = value
        }

        enum CodingKeys: String, CodingKey {
            case major, minor, op, value
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            major = try container.decodeIfPresent(UInt64.self, forKey: .major) ?? 0
            minor = try container.decodeIfPresent(UInt64.self, forKey: .minor) ?? 0
            op = try container.decodeIfPresent(String.self, forKey: .op) ?? ""
            value = try container.decodeIfPresent(UInt64.self, forKey: .value) ?? 0
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeUnlessZero(major, forKey: .major)
            try container.encodeUnlessZero(minor, forKey: .minor)
            if !op.isEmpty { try container.encode(op, forKey: .op) }
            try container.encodeUnlessZero(value, forKey: .value)
        }
    }

    /// Lists omitted when empty.
    public struct Blkio: Codable, Sendable, Equatable {
        public var ioServiceBytesRecursive: [BlkioEntry]?
        public var ioServicedRecursive: [BlkioEntry]?
        public init() {}

        enum CodingKeys: String, CodingKey {
            case ioServiceBytesRecursive, ioServicedRecursive
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeUnlessEmpty(ioServiceBytesRecursive, forKey: .ioServiceBytesRecursive)
            try container.encodeUnlessEmpty(ioServicedRecursive, forKey: .ioServicedRecursive)
        }
    }

    /// failcnt always; usage and max omitted when zero.
    public struct Hugetlb: Codable, Sendable, Equatable {
        public var usage: UInt64 = 0
        public var max: UInt64 = 0
        public var failcnt: UInt64 = 0
        public init() {}

        enum CodingKeys: String, CodingKey {
            case usage, max, failcnt
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            usage = try container.decodeIfPresent(UInt64.self, forKey: .usage) ?? 0
            max = try container.decodeIfPresent(UInt64.self, forKey: .max) ?? 0
            failcnt = try container.decodeIfPresent(UInt64.self, forKey: .failcnt) ?? 0
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeUnlessZero(usage, forKey: .usage)
            try container.encodeUnlessZero(max, forKey: .max)
            try container.encode(failcnt, forKey: .failcnt)
        }
    }
}

/// Go's `omitempty` for the field types runc's stats use.
extension KeyedEncodingContainer {
    mutating func encodeUnlessZero(_ value: UInt64, forKey key: Key) throws {
        if value != 0 { try encode(value, forKey: key) }
    }

    mutating func encodeUnlessEmpty<Element: Encodable>(_ value: [Element]?, forKey key: Key) throws {
        if let value, !value.isEmpty { try encode(value, forKey: key) }
    }
}
