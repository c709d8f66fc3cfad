/// Resource usage in the shape of runc's `events --stats` data (runc types/events.go), so the JSON the runtime
/// encodes matches what runc prints.
public struct CgroupStats: Codable, Sendable, Equatable {
    public var cpu = CPU()
    public var memory = Memory()
    public var pids = Pids()
    public var blkio = Blkio()
    public var hugetlb: [String: Hugetlb] = [:]

    public init() {}

    public struct CPU: Codable, Sendable, Equatable {
        public var usage = Usage()
        public var throttling = Throttling()
        public init() {}

        /// Nanoseconds.
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
        }

        public struct Throttling: Codable, Sendable, Equatable {
            public var periods: UInt64 = 0
            public var throttledPeriods: UInt64 = 0
            /// Nanoseconds.
            public var throttledTime: UInt64 = 0
            public init() {}
        }
    }

    public struct MemoryEntry: Codable, Sendable, Equatable {
        public var limit: UInt64 = 0
        public var usage: UInt64 = 0
        public var max: UInt64 = 0
        public var failcnt: UInt64 = 0
        public init() {}
    }

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
    }

    public struct Pids: Codable, Sendable, Equatable {
        public var current: UInt64 = 0
        /// 0 when unlimited ("max").
        public var limit: UInt64 = 0
        public init() {}
    }

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
    }

    public struct Blkio: Codable, Sendable, Equatable {
        public var ioServiceBytesRecursive: [BlkioEntry]?
        public var ioServicedRecursive: [BlkioEntry]?
        public init() {}
    }

    public struct Hugetlb: Codable, Sendable, Equatable {
        public var usage: UInt64 = 0
        public var max: UInt64 = 0
        public var failcnt: UInt64 = 0
        public init() {}
    }
}
