// `process` (and exec's process.json) read from and written to the one JSON stack by hand, field by field in
// declaration order.

import TaurunSupport

extension Process: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        terminal = try object.optional("terminal")
        consoleSize = try object.optional("consoleSize")
        user = try object.required("user")
        args = try object.optional("args")
        commandLine = try object.optional("commandLine")
        env = try object.optional("env")
        cwd = try object.required("cwd")
        capabilities = try object.optional("capabilities")
        rlimits = try object.optional("rlimits")
        noNewPrivileges = try object.optional("noNewPrivileges")
        apparmorProfile = try object.optional("apparmorProfile")
        oomScoreAdj = try object.optional("oomScoreAdj")
        selinuxLabel = try object.optional("selinuxLabel")
        ioPriority = try object.optional("ioPriority")
        scheduler = try object.optional("scheduler")
        execCPUAffinity = try object.optional("execCPUAffinity")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 16)
        object.add("terminal", terminal)
        object.add("consoleSize", consoleSize)
        object.add("user", user)
        object.add("args", args)
        object.add("commandLine", commandLine)
        object.add("env", env)
        object.add("cwd", cwd)
        object.add("capabilities", capabilities)
        object.add("rlimits", rlimits)
        object.add("noNewPrivileges", noNewPrivileges)
        object.add("apparmorProfile", apparmorProfile)
        object.add("oomScoreAdj", oomScoreAdj)
        object.add("selinuxLabel", selinuxLabel)
        object.add("ioPriority", ioPriority)
        object.add("scheduler", scheduler)
        object.add("execCPUAffinity", execCPUAffinity)
        return object.json
    }
}

extension Box: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        height = try object.required("height")
        width = try object.required("width")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 2)
        object.add("height", height)
        object.add("width", width)
        return object.json
    }
}

extension User: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        uid = try object.required("uid")
        gid = try object.required("gid")
        umask = try object.optional("umask")
        additionalGids = try object.optional("additionalGids")
        username = try object.optional("username")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 5)
        object.add("uid", uid)
        object.add("gid", gid)
        object.add("umask", umask)
        object.add("additionalGids", additionalGids)
        object.add("username", username)
        return object.json
    }
}

extension POSIXRlimit: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        type = try object.required("type")
        hard = try object.required("hard")
        soft = try object.required("soft")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 3)
        object.add("type", type)
        object.add("hard", hard)
        object.add("soft", soft)
        return object.json
    }
}

extension LinuxCapabilities: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        bounding = try object.optional("bounding")
        effective = try object.optional("effective")
        inheritable = try object.optional("inheritable")
        permitted = try object.optional("permitted")
        ambient = try object.optional("ambient")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 5)
        object.add("bounding", bounding)
        object.add("effective", effective)
        object.add("inheritable", inheritable)
        object.add("permitted", permitted)
        object.add("ambient", ambient)
        return object.json
    }
}

extension LinuxIOPriority: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        self.class = try object.required("class")
        priority = try object.required("priority")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 2)
        object.add("class", self.class)
        object.add("priority", priority)
        return object.json
    }
}

extension Scheduler: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        policy = try object.required("policy")
        nice = try object.optional("nice")
        priority = try object.optional("priority")
        flags = try object.optional("flags")
        runtime = try object.optional("runtime")
        deadline = try object.optional("deadline")
        period = try object.optional("period")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 7)
        object.add("policy", policy)
        object.add("nice", nice)
        object.add("priority", priority)
        object.add("flags", flags)
        object.add("runtime", runtime)
        object.add("deadline", deadline)
        object.add("period", period)
        return object.json
    }
}

extension CPUAffinity: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        initial = try object.optional("initial")
        final = try object.optional("final")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 2)
        object.add("initial", initial)
        object.add("final", final)
        return object.json
    }
}
