import Testing
@testable import TaurunOCI

@Suite struct SpecDecodeTests {
    @Test func minimalConfigDecodesWithOptionalFieldsAbsent() throws {
        let spec = try Spec.decode(Array(Fixtures.minimal.utf8))
        #expect(spec.ociVersion == "1.2.0")
        #expect(spec.process?.user == User(uid: 0, gid: 0))
        #expect(spec.process?.cwd == "/")
        #expect(spec.process?.args == ["/bin/true"])
        #expect(spec.root == Root(path: "rootfs"))
        #expect(spec.linux == nil)
        #expect(spec.mounts == nil)
        #expect(spec.hooks == nil)
        try spec.validate()
    }

    @Test func fullConfigDecodesEveryField() throws {
        let spec = try Spec.decode(Array(Fixtures.full.utf8))
        let process = try #require(spec.process)
        #expect(process.terminal == true)
        #expect(process.consoleSize == Box(height: 25, width: 80))
        #expect(process.user == User(uid: 1, gid: 1, umask: 18, additionalGids: [5, 6], username: "u"))
        #expect(process.commandLine == "sh -c 'echo hi'")
        #expect(process.env?.last == "EMPTY=")
        #expect(process.capabilities?.inheritable == ["CAP_AUDIT_WRITE"])
        #expect(process.rlimits == [
            POSIXRlimit(type: .nofile, hard: 1024, soft: 512),
            POSIXRlimit(type: .addressSpace, hard: UInt64.max, soft: UInt64.max),
        ])
        #expect(process.noNewPrivileges == true)
        #expect(process.apparmorProfile == "taurun-default")
        #expect(process.oomScoreAdj == -500)
        #expect(process.ioPriority == LinuxIOPriority(class: .bestEffort, priority: 4))
        #expect(process.scheduler == Scheduler(policy: .fifo, nice: -5, priority: 10, flags: [.resetOnFork]))
        #expect(process.execCPUAffinity == CPUAffinity(initial: "7", final: "0-3,7"))
        #expect(spec.root == Root(path: "/var/lib/bundle/rootfs", readonly: true))
        #expect(spec.hostname == "box")
        #expect(spec.domainname == "example.org")
        #expect(spec.mounts?[1].uidMappings == [LinuxIDMapping(containerID: 0, hostID: 100000, size: 65536)])
        #expect(spec.hooks?.createRuntime == [Hook(path: "/usr/bin/setup-network", timeout: 5)])
        #expect(spec.hooks?.poststop?.first?.args == ["cleanup.sh", "-f"])
        #expect(spec.annotations?["org.tauos.app"] == "media")

        let linux = try #require(spec.linux)
        #expect(linux.timeOffsets?["boottime"] == LinuxTimeOffset(secs: -3600, nanosecs: 500))
        #expect(linux.sysctl?["net.ipv4.ip_forward"] == "1")
        #expect(linux.cgroupsPath == "/myRuntime/myContainer")
        #expect(linux.namespaces?.map(\.type) == [.pid, .network, .mount, .ipc, .uts, .user, .cgroup, .time])
        #expect(linux.namespaces?[1].path == "/var/run/netns/neta")
        #expect(linux.devices?[0] == LinuxDevice(type: "c", path: "/dev/fuse", major: 10, minor: 229, fileMode: 438, uid: 0, gid: 0))
        #expect(linux.rootfsPropagation == "rslave")
        #expect(linux.maskedPaths == ["/proc/kcore", "/sys/firmware"])
        #expect(linux.mountLabel?.hasPrefix("system_u") == true)
        #expect(linux.intelRdt?.schemata == ["L3:0=ffff"])
        #expect(linux.intelRdt?.enableMonitoring == true)
        #expect(linux.personality == LinuxPersonality(domain: .linux32, flags: []))
        #expect(linux.memoryPolicy == LinuxMemoryPolicy(mode: .interleave, nodes: "2-3", flags: [.staticNodes]))
        #expect(linux.netDevices == ["eth1": LinuxNetDevice(name: "ctr1"), "ens4": LinuxNetDevice()])

        let resources = try #require(linux.resources)
        #expect(resources.devices?[1] == LinuxDeviceCgroup(allow: true, type: "c", major: 10, minor: 229, access: "rw"))
        #expect(resources.memory?.kernel == -1)
        #expect(resources.memory?.checkBeforeUpdate == true)
        #expect(resources.cpu?.realtimeRuntime == 950000)
        #expect(resources.cpu?.cpus == "2-3")
        #expect(resources.pids == LinuxPids(limit: 32771))
        #expect(resources.blockIO?.weightDevice?[0] == LinuxWeightDevice(major: 8, minor: 0, weight: 500, leafWeight: 300))
        #expect(resources.blockIO?.throttleWriteIOPSDevice == [LinuxThrottleDevice(major: 8, minor: 16, rate: 400)])
        #expect(resources.hugepageLimits?[0] == LinuxHugepageLimit(pageSize: "2MB", limit: 209715200))
        #expect(resources.network?.priorities?[1] == LinuxInterfacePriority(name: "eth1", priority: 1000))
        #expect(resources.rdma?["mlx5_1"] == LinuxRdma(hcaHandles: 3, hcaObjects: 10000))
        #expect(resources.unified?["memory.high"] == "max")

        let seccomp = try #require(linux.seccomp)
        #expect(seccomp.defaultAction == .errno)
        #expect(seccomp.defaultErrnoRet == 1)
        #expect(seccomp.architectures == [.x86_64, .x86, .x32])
        #expect(seccomp.flags == [.log, .specAllow])
        #expect(seccomp.listenerPath == "/run/seccomp-agent.socket")
        #expect(seccomp.syscalls?[1].args?[1] == LinuxSeccompArg(index: 1, value: 255, valueTwo: 8, op: .maskedEqual))
        #expect(seccomp.syscalls?[3] == LinuxSyscall(names: ["ptrace"], action: .errno, errnoRet: 38))
    }

    @Test func fullConfigPassesValidation() throws {
        let spec = try Spec.decode(Array(Fixtures.full.utf8))
        #expect(spec.validationErrors() == [])
    }

    @Test(arguments: [Fixtures.minimal, Fixtures.full])
    func encodeThenDecodeGivesTheSameSpec(_ json: String) throws {
        let spec = try Spec.decode(Array(json.utf8))
        let encoded = spec.encodedJSON()
        #expect(try Spec.decode(encoded) == spec)
        // Deterministic: the same value always gives the same bytes, and re-encoding is a fixed point.
        #expect(spec.encodedJSON() == encoded)
        #expect(try Spec.decode(encoded).encodedJSON() == encoded)
    }

    @Test func encodedJSONSortsKeysIndentsWithTabsAndKeepsSlashes() {
        let spec = Spec(ociVersion: "1.2.1", root: Root(path: "/a/b"), hostname: "h", annotations: ["z": "1", "a": "2"])
        let text = String(decoding: spec.encodedJSON(), as: UTF8.self)
        #expect(text == """
            {
            \t"annotations": {
            \t\t"a": "2",
            \t\t"z": "1"
            \t},
            \t"hostname": "h",
            \t"ociVersion": "1.2.1",
            \t"root": {
            \t\t"path": "/a/b"
            \t}
            }

            """)
    }

    @Test func encodingEscapesControlCharactersAndRoundTripsUnicode() throws {
        var spec = try Spec.decode(Array(Fixtures.minimal.utf8))
        spec.hostname = "tab\there \"quoted\" back\\slash é 🚀 \u{1}"
        let encoded = spec.encodedJSON()
        #expect(String(decoding: encoded, as: UTF8.self).contains(#""tab\there \"quoted\" back\\slash é 🚀 \u0001""#))
        #expect(try Spec.decode(encoded) == spec)
    }

    @Test func unknownMembersAreIgnoredAtEveryLevel() throws {
        let json = #"""
            {
                "ociVersion": "1.2.0", "futureTopLevel": {"deep": [1, 2, {"x": null}]},
                "windows": {"layerFolders": ["C:\\layers"]}, "vm": {"hypervisor": {"path": "/x"}},
                "process": {"user": {"uid": 0, "gid": 0, "futureUserField": true}, "cwd": "/", "args": ["sh"],
                            "futureProcessField": 7},
                "root": {"path": "rootfs", "futureRoot": "x"},
                "linux": {"namespaces": [{"type": "pid", "futureNsField": 1}], "futureLinux": {},
                          "resources": {"futureController": {"a": 1}, "pids": {"limit": 5, "futurePids": 1}}}
            }
            """#
        let spec = try Spec.decode(Array(json.utf8))
        #expect(spec.linux?.namespaces == [LinuxNamespace(type: .pid)])
        #expect(spec.linux?.resources?.pids == LinuxPids(limit: 5))
    }

    @Test func nullForAnOptionalFieldMeansAbsent() throws {
        let json = #"{"ociVersion": "1.2.0", "hostname": null, "process": {"user": {"uid": 0, "gid": 0, "umask": null}, "cwd": "/", "args": null}, "linux": null}"#
        let spec = try Spec.decode(Array(json.utf8))
        #expect(spec.hostname == nil)
        #expect(spec.process?.user.umask == nil)
        #expect(spec.process?.args == nil)
        #expect(spec.linux == nil)
    }

    @Test func byteOrderMarkIsRejectedAsInvalidJSON() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(Fixtures.minimal.utf8)
        #expect(throws: SpecError(file: "config.json", jsonPath: "", message: "invalid JSON: unexpected byte 0xef at line 1, column 1")) {
            try Spec.decode(bytes)
        }
    }

    @Test func fileNameGivenByTheCallerAppearsInErrors() {
        let error = #expect(throws: SpecError.self) { try Spec.decode(Array("[]".utf8), file: "/b/config.json") }
        #expect(error?.description == "/b/config.json: expected object, got array")
    }
}
