#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Testing
import TaurunOCI
@testable import TaurunCgroups
import TaurunDBus

@Suite struct SystemdCgroupPathTests {
    @Test func podmanPathNamesAScopeInItsSlice() throws {
        let path = try SystemdCgroupPath.parse(containerID: "ignored", cgroupsPath: "machine.slice:libpod:0123abcd")
        #expect(path.slice == "machine.slice")
        #expect(path.unit == "libpod-0123abcd.scope")
        #expect(path.cgroupComponents == ["machine.slice", "libpod-0123abcd.scope"])
    }

    @Test func defaultsFollowRunc() throws {
        let absent = try SystemdCgroupPath.parse(containerID: "web", cgroupsPath: nil)
        #expect(absent == SystemdCgroupPath(slice: "system.slice", unit: "taurun-web.scope"))
        let emptySlice = try SystemdCgroupPath.parse(containerID: "x", cgroupsPath: ":runc:web")
        #expect(emptySlice.cgroupComponents == ["system.slice", "runc-web.scope"])
        let noPrefix = try SystemdCgroupPath.parse(containerID: "x", cgroupsPath: "user.slice::web")
        #expect(noPrefix.unit == "web.scope")
    }

    @Test func dashesInTheSliceNest() throws {
        #expect(try SystemdCgroupPath.expand(slice: "a-b-c.slice") == ["a.slice", "a-b.slice", "a-b-c.slice"])
        #expect(try SystemdCgroupPath.expand(slice: "-.slice") == [])
        let path = try SystemdCgroupPath.parse(containerID: "x", cgroupsPath: "machine-pod1.slice:libpod:c")
        #expect(path.cgroupComponents == ["machine.slice", "machine-pod1.slice", "libpod-c.scope"])
    }

    @Test(arguments: ["/a/b", "a:b", "a:b:c:d", "machine.slice:libpod:", "a/b.slice:p:n", "a--b.slice:p:n", "-a.slice:p:n",
                      ".slice:p:n", "machine:p:n", "machine.slice:p:n/x", "machine.slice:p:a b", "machine.slice:p:n.slice"])
    func malformedPathsAreRejected(_ text: String) {
        #expect(throws: CgroupError.self) { try SystemdCgroupPath.parse(containerID: "c", cgroupsPath: text) }
    }
}

@Suite struct SystemdUnitPropertiesTests {
    static func named(_ properties: [DBusValue]) -> [String: DBusValue] {
        var result: [String: DBusValue] = [:]
        for case .structure(let fields) in properties {
            if case .string(let name) = fields[0], case .variant(let value) = fields[1] { result[name] = value }
        }
        return result
    }

    @Test func scopePropertiesDelegateAndHoldThePid() {
        let properties = Self.named(SystemdUnitProperties.scope(description: "taurun container c", slice: "machine.slice", pid: 42, isUnified: false))
        #expect(properties["Slice"] == .string("machine.slice"))
        #expect(properties["PIDs"] == .array(element: "u", [.uint32(42)]))
        #expect(properties["Delegate"] == .bool(true))
        #expect(properties["BlockIOAccounting"] == .bool(true))
        #expect(properties["DefaultDependencies"] == .bool(false))
        let v2 = Self.named(SystemdUnitProperties.scope(description: "d", slice: "s.slice", pid: 1, isUnified: true))
        #expect(v2["IOAccounting"] == .bool(true))
    }

    @Test func v1LimitsUseTheV1PropertyNames() throws {
        let resources = LinuxResources(memory: LinuxMemory(limit: 64 << 20), cpu: LinuxCPU(shares: 512, quota: 50_000, period: 100_000),
                                       pids: LinuxPids(limit: 32), blockIO: LinuxBlockIO(weight: 300))
        let properties = Self.named(try SystemdUnitProperties.resources(resources, isUnified: false))
        #expect(properties["MemoryLimit"] == .uint64(64 << 20))
        #expect(properties["CPUShares"] == .uint64(512))
        #expect(properties["CPUQuotaPeriodUSec"] == .uint64(100_000))
        #expect(properties["CPUQuotaPerSecUSec"] == .uint64(500_000))
        #expect(properties["TasksMax"] == .uint64(32))
        #expect(properties["BlockIOWeight"] == .uint64(300))
        #expect(properties["MemoryMax"] == nil)
    }

    @Test func v2LimitsAreConvertedAsRuncDoes() throws {
        let resources = LinuxResources(memory: LinuxMemory(limit: 100, reservation: 50, swap: 300), cpu: LinuxCPU(shares: 1024), pids: LinuxPids(limit: -1))
        let properties = Self.named(try SystemdUnitProperties.resources(resources, isUnified: true))
        #expect(properties["MemoryMax"] == .uint64(100))
        #expect(properties["MemoryLow"] == .uint64(50))
        #expect(properties["MemorySwapMax"] == .uint64(200))
        #expect(properties["CPUWeight"] == .uint64(39))
        #expect(properties["TasksMax"] == .uint64(UInt64.max))
    }

    @Test func fractionalQuotaRoundsUpToWholePercent() {
        // 12345 µs per 100 ms = 123450 µs/s, kept by systemd as 13 % → 130000.
        let properties = Self.named(SystemdUnitProperties.cpuQuota(quota: 12_345, period: 0))
        #expect(properties["CPUQuotaPerSecUSec"] == .uint64(130_000))
        #expect(properties["CPUQuotaPeriodUSec"] == nil)
        #expect(Self.named(SystemdUnitProperties.cpuQuota(quota: -1, period: 0))["CPUQuotaPerSecUSec"] == .uint64(UInt64.max))
    }

    @Test func cpusetListsBecomeBitmasks() throws {
        #expect(try SystemdUnitProperties.bitmask("0-2,9", jsonPath: "p") == .array(element: "y", [.byte(0b111), .byte(0b10)]))
        #expect(throws: CgroupError.self) { try SystemdUnitProperties.bitmask("3-1", jsonPath: "p") }
        #expect(throws: CgroupError.self) { try SystemdUnitProperties.bitmask("a", jsonPath: "p") }
    }

    @Test func deviceRulesBecomeAStrictAllowlist() throws {
        let config = [LinuxDeviceCgroup(allow: false, access: "rwm"), LinuxDeviceCgroup(allow: true, type: "b", major: 8, minor: nil, access: "r")]
        let properties = try SystemdUnitProperties.devices(config)
        #expect(properties.first == .property("DevicePolicy", .string("strict")))
        #expect(properties[1] == .property("DeviceAllow", .array(element: "(ss)", [])))
        guard case .structure(let fields)? = properties.last, case .variant(.array(_, let entries)) = fields[1] else {
            Issue.record("no DeviceAllow list")
            return
        }
        #expect(entries.contains(.structure([.string("block-8"), .string("r")])))
        #expect(entries.contains(.structure([.string("/dev/char/1:3"), .string("rwm")])))   // default allowlist: /dev/null
        #expect(entries.contains(.structure([.string("char-136"), .string("rwm")])))        // /dev/pts/*
        #expect(entries.contains(.structure([.string("char-*"), .string("m")])))
    }

    @Test func allowAllIsTheAutoPolicyAndNoRulesSendNothing() throws {
        #expect(try SystemdUnitProperties.devices(nil).isEmpty)
        let all = try SystemdUnitProperties.devices([LinuxDeviceCgroup(allow: true, access: "rwm")])
        #expect(all == [.property("DevicePolicy", .string("auto")), .property("DeviceAllow", .array(element: "(ss)", []))])
    }
}

/// The driver against a real dbus-daemon with the mock systemd (Tests/Integration/systemd-mock), on a
/// temporary tree that mirrors v1 cgroupfs: what is sent over the bus, what systemd and taurun each make.
@Suite(.serialized, .enabled(if: MockBus.available, "needs dbus-daemon and /usr/bin/python3 with dbus-python"))
struct SystemdManagerMockBusTests {
    /// v1 hierarchies systemd manages (the mock makes the scope there) and ones it does not (taurun does).
    static let systemdHierarchies = ["memory", "cpu,cpuacct", "pids", "devices", "systemd"]
    static let otherHierarchies = ["cpuset", "freezer"]

    static func layout(_ mirror: CgroupMirror) -> CgroupLayout {
        var hierarchies: [String: String] = [:]
        for name in systemdHierarchies + otherHierarchies {
            for controller in name.split(separator: ",") {
                hierarchies[controller == "systemd" ? "name=systemd" : String(controller)] = mirror.path(name)
            }
        }
        return .v1(hierarchies: hierarchies)
    }

    static func makeMirror() -> CgroupMirror {
        let mirror = CgroupMirror()
        mirror.dir("memory", files: ["cgroup.procs": "", "memory.limit_in_bytes": "9223372036854771712", "memory.usage_in_bytes": "0"])
        mirror.dir("cpu,cpuacct", files: ["cgroup.procs": "", "cpu.shares": "1024", "cpu.cfs_quota_us": "-1", "cpu.cfs_period_us": "100000"])
        mirror.dir("pids", files: ["cgroup.procs": "", "pids.max": "max"])
        mirror.dir("devices", files: ["cgroup.procs": "", "devices.list": "a *:* rwm"])
        mirror.dir("systemd", files: ["cgroup.procs": ""])
        mirror.dir("cpuset", files: ["cgroup.procs": "", "cpuset.cpus": "0-1", "cpuset.mems": "0"])
        mirror.dir("freezer", files: ["cgroup.procs": ""])
        // mkdir in a mirror makes no control files, so the directories taurun itself will make (of the hierarchies
        // systemd leaves alone) get theirs here, as the kernel would give them; a new cpuset starts empty.
        mirror.dir("cpuset/machine.slice", files: ["cgroup.procs": "", "cpuset.cpus": "", "cpuset.mems": ""])
        mirror.dir("cpuset/machine.slice/libpod-c1.scope", files: ["cgroup.procs": "", "cpuset.cpus": "", "cpuset.mems": ""])
        mirror.dir("freezer/machine.slice/libpod-c1.scope", files: ["cgroup.procs": ""])
        return mirror
    }

    static let resources = LinuxResources(memory: LinuxMemory(limit: 64 << 20), cpu: LinuxCPU(shares: 512, quota: 50_000, period: 100_000),
                                          pids: LinuxPids(limit: 32))

    @Test func scopeLifecycleThroughTheBus() throws {
        let mirror = Self.makeMirror()
        let bus = try MockBus(hierarchies: Self.systemdHierarchies.map { mirror.path($0) }, options: ["--mirror"])
        defer { bus.stop() }
        let manager = try Cgroups.systemdManager(containerID: "c1", cgroupsPath: "machine.slice:libpod:c1", layout: Self.layout(mirror),
                                                 systemdRunning: false, busOverride: bus.address)
        #expect(manager.paths.systemdUnit == "libpod-c1.scope")
        #expect(manager.paths.dirs.contains(mirror.path("memory/machine.slice/libpod-c1.scope")))
        #expect(manager.paths.dirs.contains(mirror.path("cpuset/machine.slice/libpod-c1.scope")))

        // The runtime's order: validate, create and apply before the clone, add(pid:) after it.
        try manager.validate(Self.resources)
        try manager.create()
        try manager.apply(Self.resources)
        #expect(bus.calls().isEmpty, "nothing may reach systemd before there is a process")
        // The directories exist already (empty), so a cgroup mount in the container can bind them.
        #expect(mirror.exists("memory/machine.slice/libpod-c1.scope"))
        #expect(!mirror.exists("memory/machine.slice/libpod-c1.scope/memory.limit_in_bytes"))

        guard let sleeper = Host.spawn(["/bin/sleep", "60"]) else {
            Issue.record("cannot spawn sleep")
            return
        }
        try manager.add(pid: sleeper)

        let start = try #require(bus.calls().first { $0.contains("\"StartTransientUnit\"") })
        #expect(start.contains("\"unit\": \"libpod-c1.scope\", \"mode\": \"replace\""))
        #expect(start.contains("[\"Slice\", \"s\", \"machine.slice\"]"))
        #expect(start.contains("[\"PIDs\", \"au\", [\(sleeper)]]"))
        #expect(start.contains("[\"Delegate\", \"b\", true]"))
        #expect(start.contains("[\"MemoryLimit\", \"t\", 67108864]"))
        #expect(start.contains("[\"CPUShares\", \"t\", 512]"))
        #expect(start.contains("[\"CPUQuotaPerSecUSec\", \"t\", 500000]"))
        #expect(start.contains("[\"TasksMax\", \"t\", 32]"))
        #expect(start.contains("\"aux\": 0"))

        // systemd made the directories of its controllers; taurun made cpuset (inheriting cpus/mems) and freezer,
        // put the pid in all of them and wrote the limits through cgroupfs.
        #expect(mirror.read("memory/machine.slice/libpod-c1.scope/memory.limit_in_bytes") == "67108864")
        #expect(mirror.read("pids/machine.slice/libpod-c1.scope/pids.max") == "32")
        #expect(mirror.read("cpu,cpuacct/machine.slice/libpod-c1.scope/cpu.cfs_quota_us") == "50000")
        #expect(mirror.read("cpuset/machine.slice/libpod-c1.scope/cgroup.procs") == "\(sleeper)")
        #expect(mirror.read("cpuset/machine.slice/libpod-c1.scope/cpuset.cpus") == "0-1")
        #expect(mirror.read("freezer/machine.slice/libpod-c1.scope/cgroup.procs") == "\(sleeper)")

        // An update goes to systemd (runtime property) and to cgroupfs.
        try manager.update(LinuxResources(memory: LinuxMemory(limit: 128 << 20)))
        let set = try #require(bus.calls().first { $0.contains("\"SetUnitProperties\"") })
        #expect(set.contains("\"runtime\": true") && set.contains("[\"MemoryLimit\", \"t\", 134217728]"))
        #expect(mirror.read("memory/machine.slice/libpod-c1.scope/memory.limit_in_bytes") == "134217728")

        // The recorded form (what later commands rebuild from state.json) stops the unit; the mock kills the
        // scope's process like systemd, and taurun removes the directories it made itself.
        let recorded = Cgroups.manager(recorded: manager.paths)
        #expect(recorded is SystemdCgroupManager)
        for name in Self.otherHierarchies {
            // A mirror is not cgroupfs: its control files would keep the directory from being removed.
            for file in ["cgroup.procs", "cpuset.cpus", "cpuset.mems"] { unlink(mirror.path("\(name)/machine.slice/libpod-c1.scope/\(file)")) }
        }
        try bus.recordedManager(manager.paths).destroy()
        #expect(Host.waitForSignal(sleeper) == SIGKILL)
        #expect(bus.calls().contains { $0.contains("\"StopUnit\"") && $0.contains("libpod-c1.scope") })
        for name in Self.systemdHierarchies + Self.otherHierarchies {
            #expect(!mirror.exists("\(name)/machine.slice/libpod-c1.scope"), "\(name) scope directory left behind")
        }
        // The slice above the scope is systemd's to keep or remove.
        #expect(mirror.exists("memory/machine.slice"))
    }

    @Test func jobSignalBeforeTheReplyIsNotLost() throws {
        let mirror = Self.makeMirror()
        let bus = try MockBus(hierarchies: [mirror.path("systemd")], options: ["--mirror", "--signal-before-reply"])
        defer { bus.stop() }
        let manager = try Cgroups.systemdManager(containerID: "c2", cgroupsPath: nil, layout: .v1(hierarchies: ["name=systemd": mirror.path("systemd")]),
                                                 systemdRunning: false, busOverride: bus.address)
        try manager.create()
        try manager.apply(nil)
        try manager.add(pid: getpid())
        #expect(mirror.exists("systemd/system.slice/taurun-c2.scope"))
        #expect(bus.calls().contains { $0.contains("taurun-c2.scope") && $0.contains("\"Description\", \"s\", \"taurun container c2\"") })
    }

    @Test func failedStartJobIsAnErrorAndTheUnitIsReset() throws {
        let mirror = Self.makeMirror()
        let bus = try MockBus(hierarchies: [mirror.path("systemd")], options: ["--mirror", "--start-result", "failed"])
        defer { bus.stop() }
        let manager = try Cgroups.systemdManager(containerID: "c3", cgroupsPath: "machine.slice:libpod:c3", layout: .v1(hierarchies: ["name=systemd": mirror.path("systemd")]),
                                                 systemdRunning: false, busOverride: bus.address)
        try manager.apply(nil)
        #expect {
            try manager.add(pid: getpid())
        } throws: { error in
            String(describing: error) == "cgroup: systemd StartTransientUnit libpod-c3.scope: the start job ended with \"failed\""
        }
        #expect(bus.calls().contains { $0.contains("\"ResetFailedUnit\"") })
    }

    @Test func destroyWithoutAReachableSystemdStillRemovesTheDirectories() throws {
        let mirror = CgroupMirror()
        mirror.dir("pids/machine.slice/libpod-c5.scope")
        let manager = SystemdCgroupManager(unit: "libpod-c5.scope", slice: nil, containerID: "c5",
                                           cgroupfs: CgroupfsManager(hierarchies: [CgroupHierarchy.inferred(from: mirror.path("pids/machine.slice/libpod-c5.scope"))], isUnified: false),
                                           started: true, busOverride: "unix:path=/nonexistent/taurun-test-bus")
        try manager.destroy()
        #expect(!mirror.exists("pids/machine.slice/libpod-c5.scope"))
    }

    @Test func unreachableBusFailsValidationInOneLine() throws {
        let manager = try Cgroups.systemdManager(containerID: "c4", cgroupsPath: "machine.slice:libpod:c4", layout: .v1(hierarchies: [:]),
                                                 systemdRunning: true, busOverride: "unix:path=/nonexistent/taurun-test-bus")
        #expect {
            try manager.validate(nil)
        } throws: { error in
            let text = String(describing: error)
            return text.contains("connect /nonexistent/taurun-test-bus") && text.contains("No such file or directory") && !text.contains("\n")
        }
    }
}

/// A private dbus-daemon with the mock systemd on it, started by Tests/Integration/systemd-mock/start-mock-bus.sh.
final class MockBus {
    static let scripts: String = {
        // This file is <repo>/Tests/TaurunCgroupsTests/SystemdTests.swift.
        let testsDirectory = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(2).joined(separator: "/")
        return testsDirectory + "/Integration/systemd-mock"
    }()

    static var available: Bool {
        access("/usr/bin/dbus-daemon", X_OK) == 0 && access("/usr/bin/python3", X_OK) == 0
            && access("/usr/lib/python3/dist-packages/dbus/__init__.py", R_OK) == 0
    }

    let directory: String
    var address: String { "unix:path=\(directory)/bus" }

    init(hierarchies: [String], options: [String]) throws {
        var template = Array("/tmp/taurun-mockbus-XXXXXX".utf8CString)
        let made: String? = template.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, let result = mkdtemp(base) else { return nil }
            return String(cString: result)
        }
        directory = try #require(made)
        var arguments = ["/bin/sh", Self.scripts + "/start-mock-bus.sh", directory]
        for hierarchy in hierarchies { arguments += ["--hierarchy", hierarchy] }
        arguments += options
        let pid = try #require(Host.spawn(arguments))
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        try #require(status == 0, "start-mock-bus.sh failed")
    }

    /// What Cgroups.manager(recorded:) builds from state.json, pointed at this bus (the recorded form reads
    /// TAURUN_SYSTEMD_BUS, which tests running in parallel must not set).
    func recordedManager(_ paths: CgroupDirectories) -> SystemdCgroupManager {
        let hierarchies = paths.dirs.map { CgroupHierarchy.inferred(from: $0) }
        return SystemdCgroupManager(unit: paths.systemdUnit ?? "", slice: nil, containerID: "", cgroupfs: CgroupfsManager(hierarchies: hierarchies, isUnified: false),
                                    started: true, busOverride: address)
    }

    /// The manager calls recorded so far, one JSON object per line.
    func calls() -> [String] {
        ((try? CgroupFiles.read(directory + "/calls.jsonl")) ?? "").split(separator: "\n").map(String.init)
    }

    func stop() {
        if let pid = Host.spawn(["/bin/sh", Self.scripts + "/stop-mock-bus.sh", directory]) { _ = Host.waitForSignal(pid) }
        for file in CgroupFiles.fileNames(directory) { unlink(directory + "/" + file) }
        rmdir(directory)
    }
}
