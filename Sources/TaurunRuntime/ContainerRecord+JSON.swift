// state.json (the runtime's record of a container) read from and written to the one JSON stack by hand, field by
// field in declaration order: every lifecycle command reads it and create writes it three times, and Codable's
// synthesized coder cost a metadata instantiation and conformance scan per type each time.

import TaurunSupport

extension ContainerRecord.Phase: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let raw = try String(json: json)
        guard let phase = Self(rawValue: raw) else {
            // The words of the Codable conformance this replaced (RawRepresentable's init(from:)).
            throw JSONError(path: JSONPath(), message: "Cannot initialize Phase from invalid String value \(raw)")
        }
        self = phase
    }

    public var json: JSONValue { .string(rawValue) }
}

extension ContainerRecord: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        id = try object.required("id")
        bundle = try object.required("bundle")
        rootfs = try object.required("rootfs")
        created = try object.required("created")
        owner = try object.required("owner")
        phase = try object.required("phase")
        creatorPid = try object.required("creatorPid")
        creatorStartTime = try object.optional("creatorStartTime")
        pid = try object.optional("pid")
        pidStartTime = try object.optional("pidStartTime")
        cgroupDirs = try object.required("cgroupDirs")
        cgroupSystemdUnit = try object.optional("cgroupSystemdUnit")
        annotations = try object.optional("annotations")
        monitorPid = try object.optional("monitorPid")
        monitorStartTime = try object.optional("monitorStartTime")
        memoryLimit = try object.optional("memoryLimit")
        hooks = try object.optional("hooks")
        ociVersion = try object.required("ociVersion")
        noNewKeyring = try object.optional("noNewKeyring")
        auditLog = try object.optional("auditLog")
        learning = try object.optional("learning")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 21)
        object.add("id", id)
        object.add("bundle", bundle)
        object.add("rootfs", rootfs)
        object.add("created", created)
        object.add("owner", owner)
        object.add("phase", phase)
        object.add("creatorPid", creatorPid)
        object.add("creatorStartTime", creatorStartTime)
        object.add("pid", pid)
        object.add("pidStartTime", pidStartTime)
        object.add("cgroupDirs", cgroupDirs)
        object.add("cgroupSystemdUnit", cgroupSystemdUnit)
        object.add("annotations", annotations)
        object.add("monitorPid", monitorPid)
        object.add("monitorStartTime", monitorStartTime)
        object.add("memoryLimit", memoryLimit)
        object.add("hooks", hooks)
        object.add("ociVersion", ociVersion)
        object.add("noNewKeyring", noNewKeyring)
        object.add("auditLog", auditLog)
        object.add("learning", learning)
        return object.json
    }
}
