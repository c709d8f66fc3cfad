import TaurunOCI

/// config.json bytes for a generated `Spec`, byte for byte what `Spec.encodedJSON()` writes (tab indent, keys sorted
/// by UTF-8, nil members omitted, enums as their raw values), built by hand instead of through Codable.
///
/// Why: convert must take ≤ 5 ms. In taurun's static binary the first Codable pass over the ~20 OCI model types
/// costs runtime metadata instantiation and protocol-conformance scans of the whole binary — about 0.7 ms, the
/// largest single part of a conversion. These plain field reads cost microseconds.
///
/// Why it cannot drift from TaurunOCI: every stored property of every model type it touches is listed in `fields`,
/// either written here or refused (`Unsupported`: the caller falls back to `Spec.encodedJSON()`); a test compares
/// those lists with the types' actual properties (Mirror) and the output with `Spec.encodedJSON()` for a spec that
/// sets every written field, so a field added to TaurunOCI fails the tests instead of going missing.
enum ConfigJSON {
    struct Unsupported: Error, Equatable {
        var field: String
    }

    /// The bytes of config.json; `Spec.encodedJSON()` when the spec sets a field this writer does not handle.
    static func encode(_ spec: Spec) -> [UInt8] {
        guard let tree = try? tree(spec) else { return spec.encodedJSON() }
        return JSONTreeWriter.write(tree, indent: "\t")
    }

    /// Per model type: the properties written here, then (after "|") those refused. Compared with Mirror in tests.
    static let fields: [String: (written: [String], refused: [String])] = [
        "Spec": (["ociVersion", "process", "root", "hostname", "domainname", "mounts", "annotations", "linux"], ["hooks"]),
        "Process": (
            ["terminal", "user", "args", "commandLine", "env", "cwd", "capabilities", "rlimits", "noNewPrivileges",
             "apparmorProfile", "oomScoreAdj", "selinuxLabel"],
            ["consoleSize", "ioPriority", "scheduler", "execCPUAffinity"]),
        "User": (["uid", "gid", "umask", "additionalGids", "username"], []),
        "Root": (["path", "readonly"], []),
        "Mount": (["destination", "type", "source", "options", "uidMappings", "gidMappings"], []),
        "LinuxCapabilities": (["bounding", "effective", "inheritable", "permitted", "ambient"], []),
        "POSIXRlimit": (["type", "hard", "soft"], []),
        "Linux": (
            ["uidMappings", "gidMappings", "sysctl", "resources", "cgroupsPath", "namespaces", "devices", "seccomp",
             "rootfsPropagation", "maskedPaths", "readonlyPaths", "mountLabel"],
            ["timeOffsets", "intelRdt", "personality", "memoryPolicy", "netDevices"]),
        "LinuxIDMapping": (["containerID", "hostID", "size"], []),
        "LinuxNamespace": (["type", "path"], []),
        "LinuxDevice": (["type", "path", "major", "minor", "fileMode", "uid", "gid"], []),
        "LinuxResources": (["devices", "memory", "cpu", "pids", "unified"], ["blockIO", "hugepageLimits", "network", "rdma"]),
        "LinuxDeviceCgroup": (["allow", "type", "major", "minor", "access"], []),
        "LinuxMemory": (
            ["limit", "reservation", "swap", "kernel", "kernelTCP", "swappiness", "disableOOMKiller", "useHierarchy",
             "checkBeforeUpdate"], []),
        "LinuxCPU": (["shares", "quota", "burst", "period", "realtimeRuntime", "realtimePeriod", "cpus", "mems", "idle"], []),
        "LinuxPids": (["limit"], []),
        "LinuxSeccomp": (["defaultAction", "defaultErrnoRet", "architectures", "flags", "listenerPath", "listenerMetadata", "syscalls"], []),
        "LinuxSyscall": (["names", "action", "errnoRet", "args"], []),
        "LinuxSeccompArg": (["index", "value", "valueTwo", "op"], []),
    ]

    static func tree(_ spec: Spec) throws(Unsupported) -> JSONTree {
        try refuse(spec.hooks, "hooks")
        var object = Object()
        object["ociVersion"] = .string(spec.ociVersion)
        object["process"] = try spec.process.map(process)
        object["root"] = spec.root.map { root in
            var object = Object()
            object["path"] = .string(root.path)
            object["readonly"] = bool(root.readonly)
            return object.tree
        }
        object["hostname"] = string(spec.hostname)
        object["domainname"] = string(spec.domainname)
        object["mounts"] = spec.mounts.map { .array($0.map(mount)) }
        object["annotations"] = map(spec.annotations)
        object["linux"] = try spec.linux.map(linux)
        return object.tree
    }

    // MARK: - Process

    private static func process(_ process: Process) throws(Unsupported) -> JSONTree {
        try refuse(process.consoleSize, "process.consoleSize")
        try refuse(process.ioPriority, "process.ioPriority")
        try refuse(process.scheduler, "process.scheduler")
        try refuse(process.execCPUAffinity, "process.execCPUAffinity")
        var object = Object()
        object["terminal"] = bool(process.terminal)
        var user = Object()
        user["uid"] = number(process.user.uid)
        user["gid"] = number(process.user.gid)
        user["umask"] = number(process.user.umask)
        user["additionalGids"] = process.user.additionalGids.map { .array($0.map { .number(String($0)) }) }
        user["username"] = string(process.user.username)
        object["user"] = user.tree
        object["args"] = strings(process.args)
        object["commandLine"] = string(process.commandLine)
        object["env"] = strings(process.env)
        object["cwd"] = .string(process.cwd)
        object["capabilities"] = process.capabilities.map { capabilities in
            var object = Object()
            object["bounding"] = strings(capabilities.bounding)
            object["effective"] = strings(capabilities.effective)
            object["inheritable"] = strings(capabilities.inheritable)
            object["permitted"] = strings(capabilities.permitted)
            object["ambient"] = strings(capabilities.ambient)
            return object.tree
        }
        object["rlimits"] = process.rlimits.map { limits in
            .array(limits.map { limit in
                var object = Object()
                object["type"] = .string(limit.type.rawValue)
                object["hard"] = number(limit.hard)
                object["soft"] = number(limit.soft)
                return object.tree
            })
        }
        object["noNewPrivileges"] = bool(process.noNewPrivileges)
        object["apparmorProfile"] = string(process.apparmorProfile)
        object["oomScoreAdj"] = number(process.oomScoreAdj)
        object["selinuxLabel"] = string(process.selinuxLabel)
        return object.tree
    }

    private static func mount(_ mount: Mount) -> JSONTree {
        var object = Object()
        object["destination"] = .string(mount.destination)
        object["type"] = string(mount.type)
        object["source"] = string(mount.source)
        object["options"] = strings(mount.options)
        object["uidMappings"] = mappings(mount.uidMappings)
        object["gidMappings"] = mappings(mount.gidMappings)
        return object.tree
    }

    // MARK: - Linux

    private static func linux(_ linux: Linux) throws(Unsupported) -> JSONTree {
        try refuse(linux.timeOffsets, "linux.timeOffsets")
        try refuse(linux.intelRdt, "linux.intelRdt")
        try refuse(linux.personality, "linux.personality")
        try refuse(linux.memoryPolicy, "linux.memoryPolicy")
        try refuse(linux.netDevices, "linux.netDevices")
        var object = Object()
        object["uidMappings"] = mappings(linux.uidMappings)
        object["gidMappings"] = mappings(linux.gidMappings)
        object["sysctl"] = map(linux.sysctl)
        object["resources"] = try linux.resources.map(resources)
        object["cgroupsPath"] = string(linux.cgroupsPath)
        object["namespaces"] = linux.namespaces.map { namespaces in
            .array(namespaces.map { namespace in
                var object = Object()
                object["type"] = .string(namespace.type.rawValue)
                object["path"] = string(namespace.path)
                return object.tree
            })
        }
        object["devices"] = linux.devices.map { devices in
            .array(devices.map { device in
                var object = Object()
                object["type"] = .string(device.type)
                object["path"] = .string(device.path)
                object["major"] = number(device.major)
                object["minor"] = number(device.minor)
                object["fileMode"] = number(device.fileMode)
                object["uid"] = number(device.uid)
                object["gid"] = number(device.gid)
                return object.tree
            })
        }
        object["seccomp"] = linux.seccomp.map(seccomp)
        object["rootfsPropagation"] = string(linux.rootfsPropagation)
        object["maskedPaths"] = strings(linux.maskedPaths)
        object["readonlyPaths"] = strings(linux.readonlyPaths)
        object["mountLabel"] = string(linux.mountLabel)
        return object.tree
    }

    private static func resources(_ resources: LinuxResources) throws(Unsupported) -> JSONTree {
        try refuse(resources.blockIO, "linux.resources.blockIO")
        try refuse(resources.hugepageLimits, "linux.resources.hugepageLimits")
        try refuse(resources.network, "linux.resources.network")
        try refuse(resources.rdma, "linux.resources.rdma")
        var object = Object()
        object["devices"] = resources.devices.map { rules in
            .array(rules.map { rule in
                var object = Object()
                object["allow"] = .bool(rule.allow)
                object["type"] = string(rule.type)
                object["major"] = number(rule.major)
                object["minor"] = number(rule.minor)
                object["access"] = string(rule.access)
                return object.tree
            })
        }
        object["memory"] = resources.memory.map { memory in
            var object = Object()
            object["limit"] = number(memory.limit)
            object["reservation"] = number(memory.reservation)
            object["swap"] = number(memory.swap)
            object["kernel"] = number(memory.kernel)
            object["kernelTCP"] = number(memory.kernelTCP)
            object["swappiness"] = number(memory.swappiness)
            object["disableOOMKiller"] = bool(memory.disableOOMKiller)
            object["useHierarchy"] = bool(memory.useHierarchy)
            object["checkBeforeUpdate"] = bool(memory.checkBeforeUpdate)
            return object.tree
        }
        object["cpu"] = resources.cpu.map { cpu in
            var object = Object()
            object["shares"] = number(cpu.shares)
            object["quota"] = number(cpu.quota)
            object["burst"] = number(cpu.burst)
            object["period"] = number(cpu.period)
            object["realtimeRuntime"] = number(cpu.realtimeRuntime)
            object["realtimePeriod"] = number(cpu.realtimePeriod)
            object["cpus"] = string(cpu.cpus)
            object["mems"] = string(cpu.mems)
            object["idle"] = number(cpu.idle)
            return object.tree
        }
        object["pids"] = resources.pids.map { pids in
            var object = Object()
            object["limit"] = number(pids.limit)
            return object.tree
        }
        object["unified"] = map(resources.unified)
        return object.tree
    }

    static func seccomp(_ seccomp: LinuxSeccomp) -> JSONTree {
        var object = Object()
        object["defaultAction"] = .string(seccomp.defaultAction.rawValue)
        object["defaultErrnoRet"] = number(seccomp.defaultErrnoRet)
        object["architectures"] = seccomp.architectures.map { .array($0.map { .string($0.rawValue) }) }
        object["flags"] = seccomp.flags.map { .array($0.map { .string($0.rawValue) }) }
        object["listenerPath"] = string(seccomp.listenerPath)
        object["listenerMetadata"] = string(seccomp.listenerMetadata)
        object["syscalls"] = seccomp.syscalls.map { syscalls in
            .array(syscalls.map { syscall in
                var object = Object()
                object["names"] = .array(syscall.names.map(JSONTree.string))
                object["action"] = .string(syscall.action.rawValue)
                object["errnoRet"] = number(syscall.errnoRet)
                object["args"] = syscall.args.map { arguments in
                    .array(arguments.map { argument in
                        var object = Object()
                        object["index"] = number(argument.index)
                        object["value"] = number(argument.value)
                        object["valueTwo"] = number(argument.valueTwo)
                        object["op"] = .string(argument.op.rawValue)
                        return object.tree
                    })
                }
                return object.tree
            })
        }
        return object.tree
    }

    // MARK: - Values

    /// Members collected in any order; `tree` sorts them by UTF-8 bytes, as TaurunOCI's writer does.
    private struct Object {
        var members: [JSONTree.Member] = []

        subscript(key: String) -> JSONTree? {
            get { members.first { $0.key == key }?.value }
            set {
                members.removeAll { $0.key == key }
                if let newValue { members.append(JSONTree.Member(key, newValue)) }
            }
        }

        var tree: JSONTree {
            .object(members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) })
        }
    }

    private static func refuse<T>(_ value: T?, _ field: String) throws(Unsupported) {
        if value != nil { throw Unsupported(field: field) }
    }

    private static func string(_ value: String?) -> JSONTree? { value.map(JSONTree.string) }

    private static func bool(_ value: Bool?) -> JSONTree? { value.map(JSONTree.bool) }

    private static func number<Integer: BinaryInteger>(_ value: Integer?) -> JSONTree? { value.map { .number(String($0)) } }

    private static func strings(_ value: [String]?) -> JSONTree? { value.map { .array($0.map(JSONTree.string)) } }

    private static func map(_ value: [String: String]?) -> JSONTree? {
        value.map { map in
            .object(map.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { JSONTree.Member($0.key, .string($0.value)) })
        }
    }

    private static func mappings(_ value: [LinuxIDMapping]?) -> JSONTree? {
        value.map { mappings in
            .array(mappings.map { mapping in
                var object = Object()
                object["containerID"] = number(mapping.containerID)
                object["hostID"] = number(mapping.hostID)
                object["size"] = number(mapping.size)
                return object.tree
            })
        }
    }
}
