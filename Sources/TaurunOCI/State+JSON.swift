// state.json's spec shape read from and written to the one JSON stack by hand, field by field in declaration order.

import TaurunSupport

extension State: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) {
        let object = try JSONObjectReader(json)
        ociVersion = try object.required("ociVersion")
        id = try object.required("id")
        pid = try object.optional("pid")
        status = try object.required("status")
        bundle = try object.required("bundle")
        rootfs = try object.optional("rootfs")
        created = try object.optional("created")
        annotations = try object.optional("annotations")
        owner = try object.optional("owner")
    }

    public var json: JSONValue {
        var object = JSONObjectBuilder(capacity: 9)
        object.add("ociVersion", ociVersion)
        object.add("id", id)
        object.add("pid", pid)
        object.add("status", status)
        object.add("bundle", bundle)
        object.add("rootfs", rootfs)
        object.add("created", created)
        object.add("annotations", annotations)
        object.add("owner", owner)
        return object.json
    }
}
