// config.json's top level (Spec, Root, Mount, Hooks, Hook) read from and written to the one JSON stack by hand,
// field by field in declaration order (so the first error is that of the first wrong field, as it was with Codable).

import TaurunSupport

extension Spec: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        ociVersion = try object.required("ociVersion")
        process = try object.optional("process")
        root = try object.optional("root")
        hostname = try object.optional("hostname")
        domainname = try object.optional("domainname")
        mounts = try object.optional("mounts")
        hooks = try object.optional("hooks")
        annotations = try object.optional("annotations")
        linux = try object.optional("linux")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 9)
        object.add("ociVersion", ociVersion)
        object.add("process", process)
        object.add("root", root)
        object.add("hostname", hostname)
        object.add("domainname", domainname)
        object.add("mounts", mounts)
        object.add("hooks", hooks)
        object.add("annotations", annotations)
        object.add("linux", linux)
        return object.json
    }
}

extension Root: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        path = try object.required("path")
        readonly = try object.optional("readonly")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 2)
        object.add("path", path)
        object.add("readonly", readonly)
        return object.json
    }
}

extension Mount: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        destination = try object.required("destination")
        type = try object.optional("type")
        source = try object.optional("source")
        options = try object.optional("options")
        uidMappings = try object.optional("uidMappings")
        gidMappings = try object.optional("gidMappings")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 6)
        object.add("destination", destination)
        object.add("type", type)
        object.add("source", source)
        object.add("options", options)
        object.add("uidMappings", uidMappings)
        object.add("gidMappings", gidMappings)
        return object.json
    }
}

extension Hooks: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        prestart = try object.optional("prestart")
        createRuntime = try object.optional("createRuntime")
        createContainer = try object.optional("createContainer")
        startContainer = try object.optional("startContainer")
        poststart = try object.optional("poststart")
        poststop = try object.optional("poststop")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 6)
        object.add("prestart", prestart)
        object.add("createRuntime", createRuntime)
        object.add("createContainer", createContainer)
        object.add("startContainer", startContainer)
        object.add("poststart", poststart)
        object.add("poststop", poststop)
        return object.json
    }
}

extension Hook: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        path = try object.required("path")
        args = try object.optional("args")
        env = try object.optional("env")
        timeout = try object.optional("timeout")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 4)
        object.add("path", path)
        object.add("args", args)
        object.add("env", env)
        object.add("timeout", timeout)
        return object.json
    }
}
