import Testing
@testable import TaurunOCI

/// One semantic rule: a change to a valid config and the first error `validate()` must report for it.
struct ValidationCase: CustomTestStringConvertible, Sendable {
    let expected: String
    let change: @Sendable (inout Spec) -> Void
    var testDescription: String { expected }

    init(_ expected: String, _ change: @escaping @Sendable (inout Spec) -> Void) {
        self.expected = expected
        self.change = change
    }
}

@Suite struct ValidationTests {
    /// runc's default config: valid, with pid/network/ipc/uts/mount namespaces.
    static var valid: Spec { Spec.runcDefault(rootless: false) }

    static let cases: [ValidationCase] = [
        ValidationCase(#"config.json: ociVersion: not a SemVer 2.0.0 version: "1""#) { $0.ociVersion = "1" },
        ValidationCase("config.json: root: required: a Linux container needs a root filesystem") { $0.root = nil },
        ValidationCase("config.json: root.path: must not be empty") { $0.root?.path = "" },
        ValidationCase("config.json: process: required: the container needs a process to run") { $0.process = nil },
        ValidationCase("config.json: process.args: args must not be empty") { $0.process?.args = [] },
        ValidationCase("config.json: process.args: args must not be empty") { $0.process?.args = nil },
        ValidationCase(#"config.json: process.cwd: cwd must be an absolute path, got "home""#) { $0.process?.cwd = "home" },
        ValidationCase(#"config.json: process.env[2]: invalid environment variable "NOEQUALS": missing '='"#) {
            $0.process?.env?.append("NOEQUALS")
        },
        ValidationCase(#"config.json: process.env[0]: invalid environment variable "=x": name is empty"#) { $0.process?.env = ["=x"] },
        ValidationCase("config.json: process.user.umask: umask 512 is larger than 0777 (511)") { $0.process?.user.umask = 0o1000 },
        ValidationCase(#"config.json: process.capabilities.effective[1]: invalid capability name "cap_kill": expected CAP_ followed by upper-case letters"#) {
            $0.process?.capabilities?.effective?[1] = "cap_kill"
        },
        ValidationCase(#"config.json: process.capabilities.ambient[0]: invalid capability name "KILL": expected CAP_ followed by upper-case letters"#) {
            $0.process?.capabilities?.ambient = ["KILL"]
        },
        ValidationCase(#"config.json: process.rlimits[1]: duplicate rlimit type "RLIMIT_NOFILE""#) {
            $0.process?.rlimits?.append(POSIXRlimit(type: .nofile, hard: 10, soft: 10))
        },
        ValidationCase("config.json: process.rlimits[0]: soft limit 2048 is above hard limit 1024 for RLIMIT_NOFILE") {
            $0.process?.rlimits?[0].soft = 2048
        },
        ValidationCase("config.json: process.oomScoreAdj: oomScoreAdj 1001 is outside -1000...1000") { $0.process?.oomScoreAdj = 1001 },
        ValidationCase("config.json: process.ioPriority.priority: I/O priority 8 is outside 0...7") {
            $0.process?.ioPriority = LinuxIOPriority(class: .bestEffort, priority: 8)
        },
        ValidationCase("config.json: process.scheduler.nice: invalid scheduler nice value 20: must be within -20...19") {
            $0.process?.scheduler = Scheduler(policy: .other, nice: 20)
        },
        ValidationCase("config.json: process.scheduler.priority: scheduler priority can only be specified for SCHED_FIFO or SCHED_RR") {
            $0.process?.scheduler = Scheduler(policy: .batch, priority: 3)
        },
        ValidationCase("config.json: process.scheduler: scheduler runtime/deadline/period can only be specified for SCHED_DEADLINE") {
            $0.process?.scheduler = Scheduler(policy: .fifo, runtime: 10)
        },
        ValidationCase(#"config.json: process.execCPUAffinity.final: invalid CPU/node list "3-1": expected e.g. "0-3,7""#) {
            $0.process?.execCPUAffinity = CPUAffinity(initial: "0", final: "3-1")
        },
        ValidationCase("config.json: hostname: unable to set hostname without a private UTS namespace") {
            $0.linux?.namespaces?.removeAll { $0.type == .uts }
        },
        ValidationCase("config.json: domainname: unable to set domainname without a private UTS namespace") {
            $0.hostname = nil
            $0.domainname = "example.org"
            $0.linux?.namespaces?.removeAll { $0.type == .uts }
        },
        ValidationCase(#"config.json: mounts[2].destination: mount destination must be an absolute path, got "dev/pts""#) {
            $0.mounts?[2].destination = "dev/pts"
        },
        ValidationCase("config.json: mounts[0]: uidMappings and gidMappings must be given together for an id-mapped mount") {
            $0.mounts?[0].uidMappings = [LinuxIDMapping(containerID: 0, hostID: 1000, size: 1)]
        },
        ValidationCase(#"config.json: hooks.poststart[1].path: hook path must be absolute, got "notify""#) {
            $0.hooks = Hooks(poststart: [Hook(path: "/bin/true"), Hook(path: "notify")])
        },
        ValidationCase("config.json: hooks.createRuntime[0].timeout: hook timeout must be greater than zero, got 0") {
            $0.hooks = Hooks(createRuntime: [Hook(path: "/bin/true", timeout: 0)])
        },
        ValidationCase("config.json: hooks.prestart[0].timeout: hook timeout must be greater than zero, got -5") {
            $0.hooks = Hooks(prestart: [Hook(path: "/bin/true", timeout: -5)])
        },
        ValidationCase("config.json: annotations: annotation keys must not be empty") { $0.annotations = ["": "x"] },
        ValidationCase(#"config.json: linux.namespaces[5]: duplicate namespace type "pid""#) {
            $0.linux?.namespaces?.append(LinuxNamespace(type: .pid))
        },
        ValidationCase(#"config.json: linux.namespaces[1].path: namespace path must be absolute, got "proc/1/ns/net""#) {
            $0.linux?.namespaces?[1].path = "proc/1/ns/net"
        },
        ValidationCase("config.json: linux.uidMappings: user namespace mappings given, but no user namespace in linux.namespaces") {
            $0.linux?.uidMappings = [LinuxIDMapping(containerID: 0, hostID: 1000, size: 1)]
            $0.linux?.gidMappings = [LinuxIDMapping(containerID: 0, hostID: 1000, size: 1)]
        },
        ValidationCase("config.json: linux.gidMappings[0].size: id mapping size must be greater than zero") {
            $0.linux?.namespaces?.append(LinuxNamespace(type: .user))
            $0.linux?.uidMappings = [LinuxIDMapping(containerID: 0, hostID: 1000, size: 1)]
            $0.linux?.gidMappings = [LinuxIDMapping(containerID: 0, hostID: 1000, size: 0)]
        },
        ValidationCase("config.json: linux.uidMappings[0]: id mapping range goes past 4294967295") {
            $0.linux?.namespaces?.append(LinuxNamespace(type: .user))
            $0.linux?.uidMappings = [LinuxIDMapping(containerID: 0, hostID: 4_294_967_295, size: 2)]
            $0.linux?.gidMappings = [LinuxIDMapping(containerID: 0, hostID: 1000, size: 1)]
        },
        ValidationCase("config.json: linux.timeOffsets: time namespace offsets given, but no time namespace in linux.namespaces") {
            $0.linux?.timeOffsets = ["monotonic": LinuxTimeOffset(secs: 1)]
        },
        ValidationCase(#"config.json: linux.timeOffsets.realtime: unknown clock "realtime": expected "monotonic" or "boottime""#) {
            $0.linux?.namespaces?.append(LinuxNamespace(type: .time))
            $0.linux?.timeOffsets = ["realtime": LinuxTimeOffset(secs: 1)]
        },
        ValidationCase("config.json: linux.sysctl: sysctl keys must not be empty") { $0.linux?.sysctl = ["": "1"] },
        ValidationCase(#"config.json: linux.sysctl["net.ipv4.ip_forward"]: sysctl "net.ipv4.ip_forward" is not allowed in the host's network namespace"#) {
            $0.linux?.namespaces?.removeAll { $0.type == .network }
            $0.linux?.sysctl = ["net.ipv4.ip_forward": "1"]
        },
        ValidationCase(#"config.json: linux.sysctl["kernel.shmmax"]: sysctl "kernel.shmmax" is not allowed in the host's IPC namespace"#) {
            $0.linux?.namespaces?.removeAll { $0.type == .ipc }
            $0.linux?.sysctl = ["kernel.shmmax": "1"]
        },
        ValidationCase(#"config.json: linux.sysctl["vm/swappiness"]: sysctl "vm.swappiness" is not in a separate kernel namespace"#) {
            $0.linux?.sysctl = ["vm/swappiness": "0"]
        },
        ValidationCase(#"config.json: linux.sysctl["kernel.hostname"]: sysctl "kernel.hostname" is not allowed as it conflicts with the "hostname" field"#) {
            $0.linux?.sysctl = ["kernel.hostname": "x"]
        },
        ValidationCase(#"config.json: linux.rootfsPropagation: unknown rootfs propagation "rshare""#) { $0.linux?.rootfsPropagation = "rshare" },
        ValidationCase("config.json: linux: unable to restrict sys entries (maskedPaths, readonlyPaths) without a private mount namespace") {
            $0.linux?.namespaces?.removeAll { $0.type == .mount }
        },
        ValidationCase(#"config.json: linux.maskedPaths[10]: path must be absolute, got "proc/kcore""#) {
            $0.linux?.maskedPaths?.append("proc/kcore")
        },
        ValidationCase(#"config.json: linux.devices[0].type: unknown device type "x": expected "c", "b", "u" or "p""#) {
            $0.linux?.devices = [LinuxDevice(type: "x", path: "/dev/x", major: 1, minor: 1)]
        },
        ValidationCase(#"config.json: linux.devices[0]: device type "c" requires major and minor numbers"#) {
            $0.linux?.devices = [LinuxDevice(type: "c", path: "/dev/fuse", major: 10)]
        },
        ValidationCase(#"config.json: linux.devices[0].path: device path must be under /dev, got "/etc/shadow""#) {
            $0.linux?.devices = [LinuxDevice(type: "p", path: "/etc/shadow")]
        },
        ValidationCase(#"config.json: linux.devices[0].path: device path must be under /dev, got "/dev/../etc/shadow""#) {
            $0.linux?.devices = [LinuxDevice(type: "p", path: "/dev/../etc/shadow")]
        },
        ValidationCase(#"config.json: linux.resources.devices[0].access: invalid device access "rwx": only r, w and m are allowed"#) {
            $0.linux?.resources?.devices?[0].access = "rwx"
        },
        ValidationCase(#"config.json: linux.resources.devices[0].type: unknown device cgroup type "p": expected "a", "b" or "c""#) {
            $0.linux?.resources?.devices?[0].type = "p"
        },
        ValidationCase("config.json: linux.resources.memory.swap: memory+swap limit 100 is below the memory limit 200") {
            $0.linux?.resources?.memory = LinuxMemory(limit: 200, swap: 100)
        },
        ValidationCase(#"config.json: linux.resources.hugepageLimits[0].pageSize: invalid page size "2M": expected e.g. "2MB" or "1GB""#) {
            $0.linux?.resources?.hugepageLimits = [LinuxHugepageLimit(pageSize: "2M", limit: 1)]
        },
        ValidationCase(#"config.json: linux.resources.unified["../escape"]: invalid cgroup file name "../escape""#) {
            $0.linux?.resources?.unified = ["../escape": "1"]
        },
        ValidationCase("config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be used as the default action") {
            $0.linux?.seccomp = LinuxSeccomp(defaultAction: .notify, listenerPath: "/run/agent.sock")
        },
        ValidationCase("config.json: linux.seccomp.syscalls[0].names: names must not be empty") {
            $0.linux?.seccomp = LinuxSeccomp(defaultAction: .allow, syscalls: [LinuxSyscall(names: [], action: .errno)])
        },
        ValidationCase("config.json: linux.seccomp.syscalls[0].errnoRet: errnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE") {
            $0.linux?.seccomp = LinuxSeccomp(defaultAction: .errno, syscalls: [LinuxSyscall(names: ["read"], action: .allow, errnoRet: 1)])
        },
        ValidationCase("config.json: linux.seccomp.syscalls[0].args[0].index: syscall argument index 6 is outside 0...5") {
            let arg = LinuxSeccompArg(index: 6, value: 0, op: .equalTo)
            $0.linux?.seccomp = LinuxSeccomp(defaultAction: .allow, syscalls: [LinuxSyscall(names: ["kill"], action: .errno, args: [arg])])
        },
        ValidationCase("config.json: linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY") {
            $0.linux?.seccomp = LinuxSeccomp(defaultAction: .allow, syscalls: [LinuxSyscall(names: ["mkdir"], action: .notify)])
        },
        ValidationCase(#"config.json: linux.intelRdt.closID: invalid closID "../x""#) { $0.linux?.intelRdt = LinuxIntelRdt(closID: "../x") },
        ValidationCase(#"config.json: linux.netDevices.eth0.name: invalid network interface name "a/b""#) {
            $0.linux?.netDevices = ["eth0": LinuxNetDevice(name: "a/b")]
        },
    ]

    @Test(arguments: cases)
    func semanticRuleIsEnforcedWithItsPath(_ testCase: ValidationCase) throws {
        var spec = Self.valid
        try spec.validate()  // the starting point itself is valid
        testCase.change(&spec)
        let error = #expect(throws: SpecError.self) { try spec.validate() }
        #expect(error?.description == testCase.expected)
    }

    @Test func hostnameLongerThanTheKernelAllowsIsRejected() {
        var spec = Self.valid
        spec.hostname = String(repeating: "h", count: 65)
        let error = #expect(throws: SpecError.self) { try spec.validate() }
        #expect(error?.description == "config.json: hostname: hostname is 65 bytes long, the kernel allows 64")
        spec.hostname = String(repeating: "h", count: 64)
        #expect(spec.validationErrors() == [])
    }

    @Test func execProcessIsValidatedWithPathsRelativeToItsDocument() throws {
        var process = try #require(Self.valid.process)
        try process.validate()
        process.cwd = "tmp"
        process.args = []
        #expect(process.validationErrors().map(\.description) == [
            "process.json: args: args must not be empty",
            #"process.json: cwd: cwd must be an absolute path, got "tmp""#,
        ])
    }

    @Test func userNamespaceWithoutMappingsIsAllowed() throws {
        var spec = Self.valid
        spec.linux?.namespaces?.append(LinuxNamespace(type: .user))
        try spec.validate()
    }

    /// containerd and CRI-O repeat a joined user namespace's mappings in the config (runc accepts it).
    @Test func joinedUserNamespaceWithRepeatedMappingsIsAllowed() throws {
        var spec = Self.valid
        spec.linux?.namespaces?.append(LinuxNamespace(type: .user, path: "/proc/1/ns/user"))
        spec.linux?.uidMappings = [LinuxIDMapping(containerID: 0, hostID: 1000, size: 1)]
        spec.linux?.gidMappings = [LinuxIDMapping(containerID: 0, hostID: 1000, size: 1)]
        try spec.validate()
    }

    @Test func rootlessDefaultIsValid() throws {
        try Spec.runcDefault(rootless: true).validate()
    }

    @Test func everyProblemIsListedInDocumentOrder() {
        var spec = Self.valid
        spec.process?.cwd = "relative"
        spec.linux?.namespaces?.append(LinuxNamespace(type: .pid))
        spec.linux?.rootfsPropagation = "bogus"
        #expect(spec.validationErrors().map(\.jsonPath) == ["process.cwd", "linux.namespaces[5]", "linux.rootfsPropagation"])
    }

    @Test(arguments: ["", "shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable"])
    func everyPropagationRuncKnowsIsAccepted(_ value: String) throws {
        var spec = Self.valid
        spec.linux?.rootfsPropagation = value
        try spec.validate()
    }
}
