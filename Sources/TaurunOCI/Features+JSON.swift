// The features document read from and written to the one JSON stack by hand, members in declaration order (the
// order `taurun features` prints them in).

import TaurunSupport

extension Features: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        ociVersionMin = try object.optional("ociVersionMin")
        ociVersionMax = try object.optional("ociVersionMax")
        hooks = try object.optional("hooks")
        mountOptions = try object.optional("mountOptions")
        linux = try object.optional("linux")
        annotations = try object.optional("annotations")
        potentiallyUnsafeConfigAnnotations = try object.optional("potentiallyUnsafeConfigAnnotations")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 7)
        object.add("ociVersionMin", ociVersionMin)
        object.add("ociVersionMax", ociVersionMax)
        object.add("hooks", hooks)
        object.add("mountOptions", mountOptions)
        object.add("linux", linux)
        object.add("annotations", annotations)
        object.add("potentiallyUnsafeConfigAnnotations", potentiallyUnsafeConfigAnnotations)
        return object.json
    }
}

extension Features.Linux: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        namespaces = try object.optional("namespaces")
        capabilities = try object.optional("capabilities")
        cgroup = try object.optional("cgroup")
        seccomp = try object.optional("seccomp")
        apparmor = try object.optional("apparmor")
        selinux = try object.optional("selinux")
        intelRdt = try object.optional("intelRdt")
        mountExtensions = try object.optional("mountExtensions")
        netDevices = try object.optional("netDevices")
        memoryPolicy = try object.optional("memoryPolicy")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 10)
        object.add("namespaces", namespaces)
        object.add("capabilities", capabilities)
        object.add("cgroup", cgroup)
        object.add("seccomp", seccomp)
        object.add("apparmor", apparmor)
        object.add("selinux", selinux)
        object.add("intelRdt", intelRdt)
        object.add("mountExtensions", mountExtensions)
        object.add("netDevices", netDevices)
        object.add("memoryPolicy", memoryPolicy)
        return object.json
    }
}

extension Features.Cgroup: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        v1 = try object.optional("v1")
        v2 = try object.optional("v2")
        systemd = try object.optional("systemd")
        systemdUser = try object.optional("systemdUser")
        rdma = try object.optional("rdma")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 5)
        object.add("v1", v1)
        object.add("v2", v2)
        object.add("systemd", systemd)
        object.add("systemdUser", systemdUser)
        object.add("rdma", rdma)
        return object.json
    }
}

extension Features.Seccomp: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        enabled = try object.optional("enabled")
        actions = try object.optional("actions")
        operators = try object.optional("operators")
        archs = try object.optional("archs")
        knownFlags = try object.optional("knownFlags")
        supportedFlags = try object.optional("supportedFlags")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 6)
        object.add("enabled", enabled)
        object.add("actions", actions)
        object.add("operators", operators)
        object.add("archs", archs)
        object.add("knownFlags", knownFlags)
        object.add("supportedFlags", supportedFlags)
        return object.json
    }
}

extension Features.Enabled: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        enabled = try object.optional("enabled")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 1)
        object.add("enabled", enabled)
        return object.json
    }
}

extension Features.MemoryPolicy: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        modes = try object.optional("modes")
        flags = try object.optional("flags")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 2)
        object.add("modes", modes)
        object.add("flags", flags)
        return object.json
    }
}

extension Features.IntelRdt: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        enabled = try object.optional("enabled")
        schemata = try object.optional("schemata")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 2)
        object.add("enabled", enabled)
        object.add("schemata", schemata)
        return object.json
    }
}

extension Features.MountExtensions: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        idmap = try object.optional("idmap")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 1)
        object.add("idmap", idmap)
        return object.json
    }
}
