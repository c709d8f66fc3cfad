// `linux.seccomp` read from and written to the one JSON stack by hand, field by field in declaration order.

import TaurunSupport

extension LinuxSeccomp: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        defaultAction = try object.required("defaultAction")
        defaultErrnoRet = try object.optional("defaultErrnoRet")
        architectures = try object.optional("architectures")
        flags = try object.optional("flags")
        listenerPath = try object.optional("listenerPath")
        listenerMetadata = try object.optional("listenerMetadata")
        syscalls = try object.optional("syscalls")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 7)
        object.add("defaultAction", defaultAction)
        object.add("defaultErrnoRet", defaultErrnoRet)
        object.add("architectures", architectures)
        object.add("flags", flags)
        object.add("listenerPath", listenerPath)
        object.add("listenerMetadata", listenerMetadata)
        object.add("syscalls", syscalls)
        return object.json
    }
}

extension LinuxSyscall: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        names = try object.required("names")
        action = try object.required("action")
        errnoRet = try object.optional("errnoRet")
        args = try object.optional("args")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 4)
        object.add("names", names)
        object.add("action", action)
        object.add("errnoRet", errnoRet)
        object.add("args", args)
        return object.json
    }
}

extension LinuxSeccompArg: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        index = try object.required("index")
        value = try object.required("value")
        valueTwo = try object.optional("valueTwo")
        op = try object.required("op")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 4)
        object.add("index", index)
        object.add("value", value)
        object.add("valueTwo", valueTwo)
        object.add("op", op)
        return object.json
    }
}
