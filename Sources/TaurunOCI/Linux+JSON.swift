// `linux` (apart from resources and seccomp) read from and written to the one JSON stack by hand, field by field in
// declaration order.

import TaurunSupport

extension Linux: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        uidMappings = try object.optional("uidMappings")
        gidMappings = try object.optional("gidMappings")
        timeOffsets = try object.optional("timeOffsets")
        sysctl = try object.optional("sysctl")
        resources = try object.optional("resources")
        cgroupsPath = try object.optional("cgroupsPath")
        namespaces = try object.optional("namespaces")
        devices = try object.optional("devices")
        seccomp = try object.optional("seccomp")
        rootfsPropagation = try object.optional("rootfsPropagation")
        maskedPaths = try object.optional("maskedPaths")
        readonlyPaths = try object.optional("readonlyPaths")
        mountLabel = try object.optional("mountLabel")
        intelRdt = try object.optional("intelRdt")
        personality = try object.optional("personality")
        memoryPolicy = try object.optional("memoryPolicy")
        netDevices = try object.optional("netDevices")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 17)
        object.add("uidMappings", uidMappings)
        object.add("gidMappings", gidMappings)
        object.add("timeOffsets", timeOffsets)
        object.add("sysctl", sysctl)
        object.add("resources", resources)
        object.add("cgroupsPath", cgroupsPath)
        object.add("namespaces", namespaces)
        object.add("devices", devices)
        object.add("seccomp", seccomp)
        object.add("rootfsPropagation", rootfsPropagation)
        object.add("maskedPaths", maskedPaths)
        object.add("readonlyPaths", readonlyPaths)
        object.add("mountLabel", mountLabel)
        object.add("intelRdt", intelRdt)
        object.add("personality", personality)
        object.add("memoryPolicy", memoryPolicy)
        object.add("netDevices", netDevices)
        return object.json
    }
}

extension LinuxNamespace: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        type = try object.required("type")
        path = try object.optional("path")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 2)
        object.add("type", type)
        object.add("path", path)
        return object.json
    }
}

extension LinuxIDMapping: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        containerID = try object.required("containerID")
        hostID = try object.required("hostID")
        size = try object.required("size")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 3)
        object.add("containerID", containerID)
        object.add("hostID", hostID)
        object.add("size", size)
        return object.json
    }
}

extension LinuxTimeOffset: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        secs = try object.optional("secs")
        nanosecs = try object.optional("nanosecs")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 2)
        object.add("secs", secs)
        object.add("nanosecs", nanosecs)
        return object.json
    }
}

extension LinuxDevice: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        type = try object.required("type")
        path = try object.required("path")
        major = try object.optional("major")
        minor = try object.optional("minor")
        fileMode = try object.optional("fileMode")
        uid = try object.optional("uid")
        gid = try object.optional("gid")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 7)
        object.add("type", type)
        object.add("path", path)
        object.add("major", major)
        object.add("minor", minor)
        object.add("fileMode", fileMode)
        object.add("uid", uid)
        object.add("gid", gid)
        return object.json
    }
}

extension LinuxIntelRdt: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        closID = try object.optional("closID")
        schemata = try object.optional("schemata")
        l3CacheSchema = try object.optional("l3CacheSchema")
        memBwSchema = try object.optional("memBwSchema")
        enableCMT = try object.optional("enableCMT")
        enableMBM = try object.optional("enableMBM")
        enableMonitoring = try object.optional("enableMonitoring")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 7)
        object.add("closID", closID)
        object.add("schemata", schemata)
        object.add("l3CacheSchema", l3CacheSchema)
        object.add("memBwSchema", memBwSchema)
        object.add("enableCMT", enableCMT)
        object.add("enableMBM", enableMBM)
        object.add("enableMonitoring", enableMonitoring)
        return object.json
    }
}

extension LinuxPersonality: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        domain = try object.required("domain")
        flags = try object.optional("flags")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 2)
        object.add("domain", domain)
        object.add("flags", flags)
        return object.json
    }
}

extension LinuxMemoryPolicy: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        mode = try object.required("mode")
        nodes = try object.required("nodes")
        flags = try object.optional("flags")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 3)
        object.add("mode", mode)
        object.add("nodes", nodes)
        object.add("flags", flags)
        return object.json
    }
}

extension LinuxNetDevice: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        name = try object.optional("name")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 1)
        object.add("name", name)
        return object.json
    }
}
