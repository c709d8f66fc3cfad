// `linux.resources` (and update's resources.json) read from and written to the one JSON stack by hand, field by
// field in declaration order.

import TaurunSupport

extension LinuxResources: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        devices = try object.optional("devices")
        memory = try object.optional("memory")
        cpu = try object.optional("cpu")
        pids = try object.optional("pids")
        blockIO = try object.optional("blockIO")
        hugepageLimits = try object.optional("hugepageLimits")
        network = try object.optional("network")
        rdma = try object.optional("rdma")
        unified = try object.optional("unified")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 9)
        object.add("devices", devices)
        object.add("memory", memory)
        object.add("cpu", cpu)
        object.add("pids", pids)
        object.add("blockIO", blockIO)
        object.add("hugepageLimits", hugepageLimits)
        object.add("network", network)
        object.add("rdma", rdma)
        object.add("unified", unified)
        return object.json
    }
}

extension LinuxDeviceCgroup: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        allow = try object.required("allow")
        type = try object.optional("type")
        major = try object.optional("major")
        minor = try object.optional("minor")
        access = try object.optional("access")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 5)
        object.add("allow", allow)
        object.add("type", type)
        object.add("major", major)
        object.add("minor", minor)
        object.add("access", access)
        return object.json
    }
}

extension LinuxMemory: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        limit = try object.optional("limit")
        reservation = try object.optional("reservation")
        swap = try object.optional("swap")
        kernel = try object.optional("kernel")
        kernelTCP = try object.optional("kernelTCP")
        swappiness = try object.optional("swappiness")
        disableOOMKiller = try object.optional("disableOOMKiller")
        useHierarchy = try object.optional("useHierarchy")
        checkBeforeUpdate = try object.optional("checkBeforeUpdate")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 9)
        object.add("limit", limit)
        object.add("reservation", reservation)
        object.add("swap", swap)
        object.add("kernel", kernel)
        object.add("kernelTCP", kernelTCP)
        object.add("swappiness", swappiness)
        object.add("disableOOMKiller", disableOOMKiller)
        object.add("useHierarchy", useHierarchy)
        object.add("checkBeforeUpdate", checkBeforeUpdate)
        return object.json
    }
}

extension LinuxCPU: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        shares = try object.optional("shares")
        quota = try object.optional("quota")
        burst = try object.optional("burst")
        period = try object.optional("period")
        realtimeRuntime = try object.optional("realtimeRuntime")
        realtimePeriod = try object.optional("realtimePeriod")
        cpus = try object.optional("cpus")
        mems = try object.optional("mems")
        idle = try object.optional("idle")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 9)
        object.add("shares", shares)
        object.add("quota", quota)
        object.add("burst", burst)
        object.add("period", period)
        object.add("realtimeRuntime", realtimeRuntime)
        object.add("realtimePeriod", realtimePeriod)
        object.add("cpus", cpus)
        object.add("mems", mems)
        object.add("idle", idle)
        return object.json
    }
}

extension LinuxPids: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        limit = try object.required("limit")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 1)
        object.add("limit", limit)
        return object.json
    }
}

extension LinuxBlockIO: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        weight = try object.optional("weight")
        leafWeight = try object.optional("leafWeight")
        weightDevice = try object.optional("weightDevice")
        throttleReadBpsDevice = try object.optional("throttleReadBpsDevice")
        throttleWriteBpsDevice = try object.optional("throttleWriteBpsDevice")
        throttleReadIOPSDevice = try object.optional("throttleReadIOPSDevice")
        throttleWriteIOPSDevice = try object.optional("throttleWriteIOPSDevice")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 7)
        object.add("weight", weight)
        object.add("leafWeight", leafWeight)
        object.add("weightDevice", weightDevice)
        object.add("throttleReadBpsDevice", throttleReadBpsDevice)
        object.add("throttleWriteBpsDevice", throttleWriteBpsDevice)
        object.add("throttleReadIOPSDevice", throttleReadIOPSDevice)
        object.add("throttleWriteIOPSDevice", throttleWriteIOPSDevice)
        return object.json
    }
}

extension LinuxWeightDevice: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        major = try object.required("major")
        minor = try object.required("minor")
        weight = try object.optional("weight")
        leafWeight = try object.optional("leafWeight")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 4)
        object.add("major", major)
        object.add("minor", minor)
        object.add("weight", weight)
        object.add("leafWeight", leafWeight)
        return object.json
    }
}

extension LinuxThrottleDevice: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        major = try object.required("major")
        minor = try object.required("minor")
        rate = try object.required("rate")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 3)
        object.add("major", major)
        object.add("minor", minor)
        object.add("rate", rate)
        return object.json
    }
}

extension LinuxHugepageLimit: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        pageSize = try object.required("pageSize")
        limit = try object.required("limit")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 2)
        object.add("pageSize", pageSize)
        object.add("limit", limit)
        return object.json
    }
}

extension LinuxNetwork: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        classID = try object.optional("classID")
        priorities = try object.optional("priorities")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 2)
        object.add("classID", classID)
        object.add("priorities", priorities)
        return object.json
    }
}

extension LinuxInterfacePriority: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        name = try object.required("name")
        priority = try object.required("priority")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 2)
        object.add("name", name)
        object.add("priority", priority)
        return object.json
    }
}

extension LinuxRdma: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        hcaHandles = try object.optional("hcaHandles")
        hcaObjects = try object.optional("hcaObjects")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 2)
        object.add("hcaHandles", hcaHandles)
        object.add("hcaObjects", hcaObjects)
        return object.json
    }
}
