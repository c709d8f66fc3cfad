// Semantic checks run after a successful decode and before anything is created: the rules runc enforces in
// libcontainer/specconv and configs/validate, plus the MUSTs of the runtime-spec that decoding alone cannot see.
// Each failure names its JSON path, e.g. `linux.namespaces[3]: duplicate namespace type "pid"`.

import TaurunSupport

extension Spec {
    /// Throws the first problem found (in document order); see `validationErrors` for all of them.
    public func validate(file: String = "config.json") throws(SpecError) {
        if let first = validationErrors(file: file).first { throw first }
    }

    /// Every semantic problem of this config, in document order.
    public func validationErrors(file: String = "config.json") -> [SpecError] {
        var validator = SpecValidator(spec: self)
        validator.run()
        return validator.problems.map { SpecError(file: file, jsonPath: $0.path.description, message: $0.message) }
    }
}

extension Process {
    /// The process rules of `Spec.validate` (args, cwd, env, umask, capabilities, rlimits, ...) for a process.json
    /// given to `exec --process`; paths are relative to that document.
    public func validate(file: String = "process.json") throws(SpecError) {
        if let first = validationErrors(file: file).first { throw first }
    }

    public func validationErrors(file: String = "process.json") -> [SpecError] {
        var validator = SpecValidator(spec: Spec(ociVersion: Spec.supportedVersion))
        validator.checkProcess(self, at: JSONPath())
        return validator.problems.map { SpecError(file: file, jsonPath: $0.path.description, message: $0.message) }
    }
}

struct SpecValidator {
    let spec: Spec
    var problems: [JSONError] = []
    private let root = JSONPath()

    init(spec: Spec) {
        self.spec = spec
    }

    private var namespaces: [LinuxNamespace] { spec.linux?.namespaces ?? [] }

    private func hasNamespace(_ type: LinuxNamespaceType) -> Bool {
        namespaces.contains { $0.type == type }
    }

    private mutating func fail(_ path: JSONPath, _ message: String) {
        problems.append(JSONError(path: path, message: message))
    }

    mutating func run() {
        checkVersion()
        checkRoot()
        checkProcess()
        checkHostname()
        checkMounts()
        checkHooks()
        checkAnnotations()
        checkLinux()
    }

    // MARK: top level

    private mutating func checkVersion() {
        if !SemVer.isValid(spec.ociVersion) {
            fail(root.appending(key: "ociVersion"), "not a SemVer 2.0.0 version: \(jsonQuoted(spec.ociVersion))")
        }
    }

    private mutating func checkRoot() {
        guard let rootfs = spec.root else {
            fail(root.appending(key: "root"), "required: a Linux container needs a root filesystem")
            return
        }
        if rootfs.path.isEmpty {
            fail(root.appending(key: "root").appending(key: "path"), "must not be empty")
        }
    }

    private mutating func checkHostname() {
        for (key, name) in [("hostname", spec.hostname), ("domainname", spec.domainname)] {
            guard let name, !name.isEmpty else { continue }
            if !hasNamespace(.uts) {
                fail(root.appending(key: key), "unable to set \(key) without a private UTS namespace")
            } else if name.utf8.count > 64 {
                // sethostname(2)/setdomainname(2) take at most __NEW_UTS_LEN (64) bytes.
                fail(root.appending(key: key), "\(key) is \(name.utf8.count) bytes long, the kernel allows 64")
            }
        }
    }

    private mutating func checkMounts() {
        let mountsPath = root.appending(key: "mounts")
        for (index, mount) in (spec.mounts ?? []).enumerated() {
            let path = mountsPath.appending(index: index)
            if !mount.destination.hasPrefix("/") {
                fail(path.appending(key: "destination"), "mount destination must be an absolute path, got \(jsonQuoted(mount.destination))")
            }
            if (mount.uidMappings == nil) != (mount.gidMappings == nil) {
                fail(path, "uidMappings and gidMappings must be given together for an id-mapped mount")
            }
            checkIDMappings(mount.uidMappings, path.appending(key: "uidMappings"))
            checkIDMappings(mount.gidMappings, path.appending(key: "gidMappings"))
        }
    }

    private mutating func checkHooks() {
        guard let hooks = spec.hooks else { return }
        let hooksPath = root.appending(key: "hooks")
        let stages: [(String, [Hook]?)] = [
            ("prestart", hooks.prestart), ("createRuntime", hooks.createRuntime),
            ("createContainer", hooks.createContainer), ("startContainer", hooks.startContainer),
            ("poststart", hooks.poststart), ("poststop", hooks.poststop),
        ]
        for (stage, list) in stages {
            for (index, hook) in (list ?? []).enumerated() {
                let path = hooksPath.appending(key: stage).appending(index: index)
                if !hook.path.hasPrefix("/") {
                    fail(path.appending(key: "path"), "hook path must be absolute, got \(jsonQuoted(hook.path))")
                }
                if let timeout = hook.timeout, timeout <= 0 {
                    fail(path.appending(key: "timeout"), "hook timeout must be greater than zero, got \(timeout)")
                }
                checkEnvironment(hook.env, path.appending(key: "env"))
            }
        }
    }

    private mutating func checkAnnotations() {
        for key in (spec.annotations ?? [:]).keys.sorted() where key.isEmpty {
            fail(root.appending(key: "annotations"), "annotation keys must not be empty")
        }
    }

    // MARK: process

    private mutating func checkProcess() {
        let path = root.appending(key: "process")
        guard let process = spec.process else {
            fail(path, "required: the container needs a process to run")
            return
        }
        checkProcess(process, at: path)
    }

    /// The rules for one process, also used for `exec --process` documents (where `path` is the root).
    mutating func checkProcess(_ process: Process, at path: JSONPath) {
        if (process.args ?? []).isEmpty {
            fail(path.appending(key: "args"), "args must not be empty")
        }
        if !process.cwd.hasPrefix("/") {
            fail(path.appending(key: "cwd"), "cwd must be an absolute path, got \(jsonQuoted(process.cwd))")
        }
        checkEnvironment(process.env, path.appending(key: "env"))
        if let umask = process.user.umask, umask > 0o777 {
            fail(path.appending(key: "user").appending(key: "umask"), "umask \(umask) is larger than 0777 (511)")
        }
        if let capabilities = process.capabilities {
            checkCapabilities(capabilities, path.appending(key: "capabilities"))
        }
        checkRlimits(process.rlimits ?? [], path.appending(key: "rlimits"))
        if let score = process.oomScoreAdj, !(-1000...1000).contains(score) {
            fail(path.appending(key: "oomScoreAdj"), "oomScoreAdj \(score) is outside -1000...1000")
        }
        if let ioPriority = process.ioPriority, !(0...7).contains(ioPriority.priority) {
            fail(path.appending(key: "ioPriority").appending(key: "priority"), "I/O priority \(ioPriority.priority) is outside 0...7")
        }
        if let scheduler = process.scheduler {
            checkScheduler(scheduler, path.appending(key: "scheduler"))
        }
        if let affinity = process.execCPUAffinity {
            let affinityPath = path.appending(key: "execCPUAffinity")
            checkCPUList(affinity.initial, affinityPath.appending(key: "initial"))
            checkCPUList(affinity.final, affinityPath.appending(key: "final"))
        }
    }

    private mutating func checkEnvironment(_ env: [String]?, _ path: JSONPath) {
        for (index, entry) in (env ?? []).enumerated() {
            guard let equals = entry.firstIndex(of: "=") else {
                fail(path.appending(index: index), "invalid environment variable \(jsonQuoted(entry)): missing '='")
                continue
            }
            if equals == entry.startIndex {
                fail(path.appending(index: index), "invalid environment variable \(jsonQuoted(entry)): name is empty")
            }
        }
    }

    private mutating func checkCapabilities(_ capabilities: LinuxCapabilities, _ path: JSONPath) {
        let sets: [(String, [String]?)] = [
            ("bounding", capabilities.bounding), ("effective", capabilities.effective),
            ("inheritable", capabilities.inheritable), ("permitted", capabilities.permitted),
            ("ambient", capabilities.ambient),
        ]
        for (name, list) in sets {
            for (index, capability) in (list ?? []).enumerated() where !LinuxCapabilities.isWellFormedName(capability) {
                fail(path.appending(key: name).appending(index: index), "invalid capability name \(jsonQuoted(capability)): expected CAP_ followed by upper-case letters")
            }
        }
    }

    private mutating func checkRlimits(_ rlimits: [POSIXRlimit], _ path: JSONPath) {
        // An array, not a Set: the Set's storage metadata makes the Swift runtime check Hashable by scanning every
        // conformance record of the binary (~0.25 M instructions), for a list of a few entries.
        var seen: [POSIXRlimitType] = []
        for (index, rlimit) in rlimits.enumerated() {
            if seen.contains(rlimit.type) {
                fail(path.appending(index: index), "duplicate rlimit type \(jsonQuoted(rlimit.type.rawValue))")
            }
            seen.append(rlimit.type)
            if rlimit.soft > rlimit.hard {
                fail(path.appending(index: index), "soft limit \(rlimit.soft) is above hard limit \(rlimit.hard) for \(rlimit.type.rawValue)")
            }
        }
    }

    private mutating func checkScheduler(_ scheduler: Scheduler, _ path: JSONPath) {
        if let nice = scheduler.nice, !(-20...19).contains(nice) {
            fail(path.appending(key: "nice"), "invalid scheduler nice value \(nice): must be within -20...19")
        }
        if let priority = scheduler.priority, priority != 0, scheduler.policy != .fifo, scheduler.policy != .roundRobin {
            fail(path.appending(key: "priority"), "scheduler priority can only be specified for SCHED_FIFO or SCHED_RR")
        }
        let deadlineFields = [scheduler.runtime, scheduler.deadline, scheduler.period].contains { ($0 ?? 0) != 0 }
        if deadlineFields, scheduler.policy != .deadline {
            fail(path, "scheduler runtime/deadline/period can only be specified for SCHED_DEADLINE")
        }
    }

    // MARK: linux

    private mutating func checkLinux() {
        let path = root.appending(key: "linux")
        let linux = spec.linux ?? Linux()
        checkNamespaces(linux, path)
        checkIDMappings(linux.uidMappings, path.appending(key: "uidMappings"))
        checkIDMappings(linux.gidMappings, path.appending(key: "gidMappings"))
        checkTimeOffsets(linux, path.appending(key: "timeOffsets"))
        checkSysctl(linux.sysctl ?? [:], path.appending(key: "sysctl"))
        if let propagation = linux.rootfsPropagation, !Linux.rootfsPropagationValues.contains(propagation) {
            fail(path.appending(key: "rootfsPropagation"), "unknown rootfs propagation \(jsonQuoted(propagation))")
        }
        let restricts = !(linux.maskedPaths ?? []).isEmpty || !(linux.readonlyPaths ?? []).isEmpty
        if restricts, !hasNamespace(.mount) {
            fail(path, "unable to restrict sys entries (maskedPaths, readonlyPaths) without a private mount namespace")
        }
        checkAbsolutePaths(linux.maskedPaths, path.appending(key: "maskedPaths"))
        checkAbsolutePaths(linux.readonlyPaths, path.appending(key: "readonlyPaths"))
        checkDevices(linux.devices ?? [], path.appending(key: "devices"))
        if let resources = linux.resources {
            checkResources(resources, path.appending(key: "resources"))
        }
        if let seccomp = linux.seccomp {
            checkSeccomp(seccomp, path.appending(key: "seccomp"))
        }
        if let closID = linux.intelRdt?.closID, closID == "." || closID == ".." || closID.contains("/") {
            fail(path.appending(key: "intelRdt").appending(key: "closID"), "invalid closID \(jsonQuoted(closID))")
        }
        if let policy = linux.memoryPolicy {
            checkCPUList(policy.nodes, path.appending(key: "memoryPolicy").appending(key: "nodes"))
        }
        checkNetDevices(linux.netDevices ?? [:], path.appending(key: "netDevices"))
    }

    private mutating func checkNamespaces(_ linux: Linux, _ path: JSONPath) {
        let namespacesPath = path.appending(key: "namespaces")
        var seen: [LinuxNamespaceType] = []   // an array, for the reason in checkRlimits
        for (index, namespace) in namespaces.enumerated() {
            if seen.contains(namespace.type) {
                fail(namespacesPath.appending(index: index), "duplicate namespace type \(jsonQuoted(namespace.type.rawValue))")
            }
            seen.append(namespace.type)
            if let nsPath = namespace.path, !nsPath.isEmpty, !nsPath.hasPrefix("/") {
                fail(namespacesPath.appending(index: index).appending(key: "path"), "namespace path must be absolute, got \(jsonQuoted(nsPath))")
            }
        }
        // Mappings need a user namespace. With a joined one (path) they are allowed and not applied: containerd and
        // CRI-O repeat the joined namespace's mappings in the config, and runc accepts that.
        let hasMappings = linux.uidMappings != nil || linux.gidMappings != nil
        if hasMappings && !namespaces.contains(where: { $0.type == .user }) {
            fail(path.appending(key: linux.uidMappings != nil ? "uidMappings" : "gidMappings"), "user namespace mappings given, but no user namespace in linux.namespaces")
        }
    }

    private mutating func checkIDMappings(_ mappings: [LinuxIDMapping]?, _ path: JSONPath) {
        for (index, mapping) in (mappings ?? []).enumerated() {
            if mapping.size == 0 {
                fail(path.appending(index: index).appending(key: "size"), "id mapping size must be greater than zero")
            } else if UInt64(mapping.containerID) + UInt64(mapping.size) > 1 << 32 || UInt64(mapping.hostID) + UInt64(mapping.size) > 1 << 32 {
                fail(path.appending(index: index), "id mapping range goes past 4294967295")
            }
        }
    }

    private mutating func checkTimeOffsets(_ linux: Linux, _ path: JSONPath) {
        guard let offsets = linux.timeOffsets else { return }
        if !hasNamespace(.time) {
            fail(path, "time namespace offsets given, but no time namespace in linux.namespaces")
        }
        for (clock, offset) in offsets.sorted(by: { $0.key < $1.key }) {
            if clock != "monotonic" && clock != "boottime" {
                fail(path.appending(key: clock), "unknown clock \(jsonQuoted(clock)): expected \"monotonic\" or \"boottime\"")
            }
            if let nanosecs = offset.nanosecs, nanosecs >= 1_000_000_000 {
                fail(path.appending(key: clock).appending(key: "nanosecs"), "nanosecs \(nanosecs) must be below 1000000000")
            }
        }
    }

    /// runc's rule: /proc/sys is only partly namespaced, so each key must belong to a namespace the container owns.
    private mutating func checkSysctl(_ sysctl: [String: String], _ path: JSONPath) {
        let ipcKeys: Set<String> = [
            "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
            "kernel.shmmni", "kernel.shm_rmid_forced",
        ]
        let newNetwork = namespaces.contains { $0.type == .network && ($0.path ?? "").isEmpty }
        let joinsNetwork = namespaces.contains { $0.type == .network && !($0.path ?? "").isEmpty }
        for rawKey in sysctl.keys.sorted() {
            let keyPath = path.appending(key: rawKey)
            guard !rawKey.isEmpty else {
                fail(path, "sysctl keys must not be empty")
                continue
            }
            let key = Self.dottedSysctl(rawKey)
            if ipcKeys.contains(key) || key.hasPrefix("fs.mqueue.") {
                if !hasNamespace(.ipc) { fail(keyPath, "sysctl \(jsonQuoted(key)) is not allowed in the host's IPC namespace") }
            } else if key.hasPrefix("net.") {
                // A joined network namespace may or may not be the host's; the runtime checks that by inode.
                if !newNetwork && !joinsNetwork { fail(keyPath, "sysctl \(jsonQuoted(key)) is not allowed in the host's network namespace") }
            } else if key == "kernel.domainname", hasNamespace(.uts) {
                continue
            } else if key == "kernel.hostname", hasNamespace(.uts) {
                fail(keyPath, "sysctl \"kernel.hostname\" is not allowed as it conflicts with the \"hostname\" field")
            } else {
                fail(keyPath, "sysctl \(jsonQuoted(key)) is not in a separate kernel namespace")
            }
        }
    }

    /// sysctl(8) accepts '/' as the separator; if the first separator is '/', '.' and '/' swap roles.
    static func dottedSysctl(_ key: String) -> String {
        guard let first = key.firstIndex(where: { $0 == "." || $0 == "/" }), key[first] == "/" else { return key }
        return String(key.map { $0 == "/" ? "." : ($0 == "." ? "/" : $0) })
    }

    private mutating func checkAbsolutePaths(_ paths: [String]?, _ path: JSONPath) {
        for (index, entry) in (paths ?? []).enumerated() where !entry.hasPrefix("/") {
            fail(path.appending(index: index), "path must be absolute, got \(jsonQuoted(entry))")
        }
    }

    private mutating func checkDevices(_ devices: [LinuxDevice], _ path: JSONPath) {
        for (index, device) in devices.enumerated() {
            let devicePath = path.appending(index: index)
            if !LinuxDevice.typeValues.contains(device.type) {
                fail(devicePath.appending(key: "type"), "unknown device type \(jsonQuoted(device.type)): expected \"c\", \"b\", \"u\" or \"p\"")
            } else if device.type != "p", device.major == nil || device.minor == nil {
                fail(devicePath, "device type \(jsonQuoted(device.type)) requires major and minor numbers")
            }
            let components = device.path.split(separator: "/")
            if !device.path.hasPrefix("/dev/") || components.count < 2 || components.contains("..") {
                fail(devicePath.appending(key: "path"), "device path must be under /dev, got \(jsonQuoted(device.path))")
            }
        }
    }

    // MARK: resources

    private mutating func checkResources(_ resources: LinuxResources, _ path: JSONPath) {
        for (index, rule) in (resources.devices ?? []).enumerated() {
            let rulePath = path.appending(key: "devices").appending(index: index)
            if let type = rule.type, !["a", "b", "c"].contains(type) {
                fail(rulePath.appending(key: "type"), "unknown device cgroup type \(jsonQuoted(type)): expected \"a\", \"b\" or \"c\"")
            }
            if let access = rule.access, !access.allSatisfy({ "rwm".contains($0) }) {
                fail(rulePath.appending(key: "access"), "invalid device access \(jsonQuoted(access)): only r, w and m are allowed")
            }
        }
        if let memory = resources.memory, let limit = memory.limit, let swap = memory.swap, limit > 0, swap > 0, swap < limit {
            fail(path.appending(key: "memory").appending(key: "swap"), "memory+swap limit \(swap) is below the memory limit \(limit)")
        }
        if let cpu = resources.cpu {
            checkCPUList(cpu.cpus, path.appending(key: "cpu").appending(key: "cpus"))
            checkCPUList(cpu.mems, path.appending(key: "cpu").appending(key: "mems"))
        }
        for (index, limit) in (resources.hugepageLimits ?? []).enumerated() where !Self.isPageSize(limit.pageSize) {
            let sizePath = path.appending(key: "hugepageLimits").appending(index: index).appending(key: "pageSize")
            fail(sizePath, "invalid page size \(jsonQuoted(limit.pageSize)): expected e.g. \"2MB\" or \"1GB\"")
        }
        if let blockIO = resources.blockIO {
            let blockPath = path.appending(key: "blockIO")
            if let weight = blockIO.weight, weight != 0, !(10...1000).contains(weight) {
                fail(blockPath.appending(key: "weight"), "blkio weight \(weight) is outside 10...1000")
            }
            if let weight = blockIO.leafWeight, weight != 0, !(10...1000).contains(weight) {
                fail(blockPath.appending(key: "leafWeight"), "blkio leaf weight \(weight) is outside 10...1000")
            }
        }
        for key in (resources.unified ?? [:]).keys.sorted() where key.isEmpty || key.contains("/") || key == "." || key == ".." {
            fail(path.appending(key: "unified").appending(key: key), "invalid cgroup file name \(jsonQuoted(key))")
        }
    }

    /// "<digits><K|M|G|T|P>B", the hugetlb controller's spelling.
    static func isPageSize(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 3, bytes.last == UInt8(ascii: "B"), "KMGTP".utf8.contains(bytes[bytes.count - 2]) else { return false }
        let digits = bytes.dropLast(2)
        return !digits.isEmpty && digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// A Linux cpu/node list: "0-3,7", "" allowed (means: unset).
    private mutating func checkCPUList(_ list: String?, _ path: JSONPath) {
        guard let list, !list.isEmpty else { return }
        for part in list.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            let numbers = bounds.compactMap { UInt32($0) }
            guard (bounds.count == 1 || bounds.count == 2), numbers.count == bounds.count, numbers.first ?? 0 <= numbers.last ?? 0 else {
                fail(path, "invalid CPU/node list \(jsonQuoted(list)): expected e.g. \"0-3,7\"")
                return
            }
        }
    }

    // MARK: seccomp

    private mutating func checkSeccomp(_ seccomp: LinuxSeccomp, _ path: JSONPath) {
        if seccomp.defaultAction == .notify {
            fail(path.appending(key: "defaultAction"), "SCMP_ACT_NOTIFY cannot be used as the default action")
        }
        if seccomp.defaultErrnoRet != nil, seccomp.defaultAction != .errno, seccomp.defaultAction != .trace {
            fail(path.appending(key: "defaultErrnoRet"), "defaultErrnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE")
        }
        var usesNotify = false
        for (index, rule) in (seccomp.syscalls ?? []).enumerated() {
            let rulePath = path.appending(key: "syscalls").appending(index: index)
            if rule.names.isEmpty {
                fail(rulePath.appending(key: "names"), "names must not be empty")
            }
            for (nameIndex, name) in rule.names.enumerated() where name.isEmpty {
                fail(rulePath.appending(key: "names").appending(index: nameIndex), "syscall name must not be empty")
            }
            if rule.action == .notify {
                usesNotify = true
                if rule.names.contains("write") {
                    fail(rulePath, "SCMP_ACT_NOTIFY cannot be used for the write syscall (the runtime itself would block on it)")
                }
            }
            if rule.errnoRet != nil, rule.action != .errno, rule.action != .trace {
                fail(rulePath.appending(key: "errnoRet"), "errnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE")
            }
            for (argIndex, arg) in (rule.args ?? []).enumerated() where arg.index > 5 {
                fail(rulePath.appending(key: "args").appending(index: argIndex).appending(key: "index"), "syscall argument index \(arg.index) is outside 0...5")
            }
        }
        if usesNotify, (seccomp.listenerPath ?? "").isEmpty {
            fail(path.appending(key: "listenerPath"), "required when a rule uses SCMP_ACT_NOTIFY")
        }
    }

    // MARK: network devices

    private mutating func checkNetDevices(_ devices: [String: LinuxNetDevice], _ path: JSONPath) {
        guard !devices.isEmpty else { return }
        if !hasNamespace(.network) {
            fail(path, "netDevices need a network namespace in linux.namespaces")
        }
        for (hostName, device) in devices.sorted(by: { $0.key < $1.key }) {
            if !Self.isInterfaceName(hostName) {
                fail(path.appending(key: hostName), "invalid network interface name \(jsonQuoted(hostName))")
            }
            if let name = device.name, !Self.isInterfaceName(name) {
                fail(path.appending(key: hostName).appending(key: "name"), "invalid network interface name \(jsonQuoted(name))")
            }
        }
    }

    /// The kernel's dev_valid_name: 1-15 bytes, not "." or "..", no '/', ':' or whitespace.
    static func isInterfaceName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...15).contains(bytes.count), name != ".", name != ".." else { return false }
        return !bytes.contains { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0 <= 0x20 }
    }
}
