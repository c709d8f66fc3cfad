import TaurunDBus
import TaurunOCI

/// The transient unit properties for a container's scope (StartTransientUnit / SetUnitProperties), following
/// runc's libcontainer/cgroups/systemd: systemd writes the cgroup attributes of the scope itself from these
/// properties (again at every daemon-reload), so every limit systemd manages must be told to systemd, or it
/// would later reset the value taurun wrote through cgroupfs. Limits systemd does not manage are written
/// through cgroupfs only. Assumes systemd ≥ 244 (AllowedCPUs, CPUQuotaPeriodUSec, char-MAJOR device groups).
enum SystemdUnitProperties {
    /// systemd's "infinity" for every uint64 limit property (USEC_INFINITY, CGROUP_LIMIT_MAX).
    static let infinity = UInt64.max
    /// The default CFS period, used to turn a quota into CPUQuotaPerSecUSec when the config has no period.
    static let defaultQuotaPeriod: UInt64 = 100_000

    /// The properties that make the scope: parent slice, the container's process, delegation, accounting.
    static func scope(description: String, slice: String, pid: Int32, isUnified: Bool) -> [DBusValue] {
        [
            .property("Description", .string(description)),
            .property("Slice", .string(slice)),
            .property("PIDs", .array(element: "u", [.uint32(UInt32(bitPattern: pid))])),
            // The container may make its own sub-cgroups (systemd or a runtime inside); systemd leaves them alone.
            .property("Delegate", .bool(true)),
            .property("MemoryAccounting", .bool(true)),
            .property("CPUAccounting", .bool(true)),
            .property(isUnified ? "IOAccounting" : "BlockIOAccounting", .bool(true)),
            .property("TasksAccounting", .bool(true)),
            // No implicit ordering against shutdown.target etc.: the scope lives exactly as long as the container.
            .property("DefaultDependencies", .bool(false)),
        ]
    }

    /// The resource properties for `resources`; fields left nil produce no property, so an update changes only
    /// what it names. The values were already checked by ResourcePlan.
    static func resources(_ resources: LinuxResources?, isUnified: Bool) throws(CgroupError) -> [DBusValue] {
        guard let resources else { return [] }
        var properties = try devices(resources.devices)
        if let memory = resources.memory {
            let limit = memory.limit ?? 0
            if isUnified {
                if limit != 0 { properties.append(.property("MemoryMax", .uint64(limitValue(limit)))) }
                if let reservation = memory.reservation, reservation != 0 {
                    properties.append(.property("MemoryLow", .uint64(limitValue(reservation))))
                }
                if let swap = memory.swap, swap != 0 {
                    let swapOnly = try ResourcePlan.v2Swap(swap: swap, memory: limit)
                    properties.append(.property("MemorySwapMax", .uint64(limitValue(swapOnly))))
                }
            } else if limit != 0 {
                properties.append(.property("MemoryLimit", .uint64(limitValue(limit))))
            }
        }
        if let cpu = resources.cpu {
            if let shares = cpu.shares, shares != 0, cpu.idle != 1 {
                properties.append(isUnified
                    ? .property("CPUWeight", .uint64(ResourcePlan.cpuWeight(fromShares: shares)))
                    : .property("CPUShares", .uint64(shares)))
            }
            properties += cpuQuota(quota: cpu.quota ?? 0, period: cpu.period ?? 0)
            if let cpus = cpu.cpus, !cpus.isEmpty {
                properties.append(.property("AllowedCPUs", try bitmask(cpus, jsonPath: "linux.resources.cpu.cpus")))
            }
            if let mems = cpu.mems, !mems.isEmpty {
                properties.append(.property("AllowedMemoryNodes", try bitmask(mems, jsonPath: "linux.resources.cpu.mems")))
            }
        }
        if let weight = resources.blockIO?.weight, weight != 0, !isUnified {
            properties.append(.property("BlockIOWeight", .uint64(UInt64(weight))))
        }
        if let pids = resources.pids, pids.limit > 0 || pids.limit == -1 {
            properties.append(.property("TasksMax", .uint64(limitValue(pids.limit))))
        }
        return properties
    }

    /// -1 (unlimited) is systemd's infinity.
    static func limitValue(_ value: Int64) -> UInt64 {
        value < 0 ? infinity : UInt64(value)
    }

    /// systemd takes a quota as microseconds of CPU time per second and keeps it as a whole percentage, so a
    /// fraction is rounded up to the next 10 ms (runc's addCpuQuota; the exact quota goes to cgroupfs after).
    static func cpuQuota(quota: Int64, period: UInt64) -> [DBusValue] {
        var properties: [DBusValue] = []
        if period != 0 { properties.append(.property("CPUQuotaPeriodUSec", .uint64(period))) }
        guard quota != 0 || period != 0 else { return properties }
        var perSecond = infinity
        if quota > 0 {
            perSecond = UInt64(quota) * 1_000_000 / (period == 0 ? defaultQuotaPeriod : period)
            if perSecond % 10_000 != 0 { perSecond = (perSecond / 10_000 + 1) * 10_000 }
        }
        properties.append(.property("CPUQuotaPerSecUSec", .uint64(perSecond)))
        return properties
    }

    /// A cpuset list ("0-3,8") as systemd's byte array: bit n of byte n/8 is cpu (or node) n.
    static func bitmask(_ list: String, jsonPath: String) throws(CgroupError) -> DBusValue {
        var bytes: [UInt8] = []
        for part in list.split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let low = Int(bounds[0]), let high = Int(bounds[bounds.count - 1]),
                  low >= 0, low <= high, high < 8192 else {
                throw .invalid(jsonPath, "\"\(list)\"", "not a cpu/node list such as \"0-3,8\"")
            }
            for bit in low...high {
                while bytes.count <= bit / 8 { bytes.append(0) }
                bytes[bit / 8] |= 1 << UInt8(bit % 8)
            }
        }
        return .array(element: "y", bytes.map { .byte($0) })
    }

    /// DevicePolicy + DeviceAllow from the rules taurun writes through cgroupfs (runc's systemdProperties).
    /// No device rules in the config: nothing (systemd's default, like taurun's cgroupfs driver, allows all).
    /// A deny list (allow all but …) cannot be said to systemd: as runc, a strict empty allowlist, which the
    /// cgroupfs rules written right after then replace.
    static func devices(_ config: [LinuxDeviceCgroup]?) throws(CgroupError) -> [DBusValue] {
        let rules = try DeviceRules.effectiveRules(config: config)
        guard !rules.isEmpty else { return [] }
        let state = DeviceRules.finalState(rules)
        let empty = DBusValue.array(element: "(ss)", [])
        if state.defaultAllow {
            if state.exceptions.isEmpty { return [.property("DevicePolicy", .string("auto")), .property("DeviceAllow", empty)] }
            return [.property("DevicePolicy", .string("strict")), .property("DeviceAllow", empty)]
        }
        var entries: [DBusValue] = []
        for rule in state.exceptions where rule.allow {
            let group = rule.type == "b" ? "block-" : "char-"
            let path: String
            switch (rule.major, rule.minor) {
            case (nil, nil): path = group + "*"
            case (nil, _?): continue  // "*:n" has no systemd spelling; the cgroupfs rule still applies it.
            case (let major?, nil): path = group + String(major)
            case (let major?, let minor?): path = (rule.type == "b" ? "/dev/block/" : "/dev/char/") + "\(major):\(minor)"
            }
            entries.append(.structure([.string(path), .string(rule.access)]))
        }
        // DeviceAllow appends to what the unit has; the empty list first resets it (matters for updates).
        return [.property("DevicePolicy", .string("strict")), .property("DeviceAllow", empty),
                .property("DeviceAllow", .array(element: "(ss)", entries))]
    }
}
