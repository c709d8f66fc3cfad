import Testing
import TaurunOCI
@testable import TauSandbox

/// ConfigJSON writes config.json without Codable; it must stay byte for byte `Spec.encodedJSON()`.
struct ConfigJSONTests {
    /// Every field ConfigJSON writes, set (several with characters that need escaping).
    static let everything = Spec(
        ociVersion: "1.0.2",
        process: Process(
            terminal: true, user: User(uid: 1000, gid: 1000, umask: 0o22, additionalGids: [5, 44], username: "app"),
            args: ["/bin/sh", "-c", "echo \"hi\"\t\\ \u{1}"], commandLine: "sh -c x", env: ["A=é", "B=\n"], cwd: "/home/app",
            capabilities: LinuxCapabilities(bounding: ["CAP_KILL"], effective: [], inheritable: ["CAP_CHOWN"], permitted: nil, ambient: []),
            rlimits: [POSIXRlimit(type: .nofile, hard: 1024, soft: 512), POSIXRlimit(type: .core, hard: UInt64.max, soft: 0)],
            noNewPrivileges: true, apparmorProfile: "tau-a", oomScoreAdj: -500, selinuxLabel: "system_u:x"),
        root: Root(path: "rootfs", readonly: false), hostname: "h", domainname: "d",
        mounts: [
            Mount(destination: "/a", type: "bind", source: "/b", options: ["rbind", "ro"]),
            Mount(destination: "/c", uidMappings: [LinuxIDMapping(containerID: 0, hostID: 1, size: 2)],
                  gidMappings: [LinuxIDMapping(containerID: 3, hostID: 4, size: 5)]),
        ],
        annotations: ["z": "1", "a.b": "\"q\"", "A": "x/y", "é": "ü"],
        linux: Linux(
            uidMappings: [LinuxIDMapping(containerID: 0, hostID: 200_000, size: 65536)],
            gidMappings: [LinuxIDMapping(containerID: 0, hostID: 200_000, size: 65536)],
            sysctl: ["net.ipv4.ip_forward": "0"],
            resources: LinuxResources(
                devices: [LinuxDeviceCgroup(allow: false, access: "rwm"), LinuxDeviceCgroup(allow: true, type: "c", major: 81, minor: -1, access: "rw")],
                memory: LinuxMemory(
                    limit: 1 << 28, reservation: 1, swap: -1, kernel: 2, kernelTCP: 3, swappiness: 60, disableOOMKiller: false,
                    useHierarchy: true, checkBeforeUpdate: true),
                cpu: LinuxCPU(
                    shares: 1024, quota: 50000, burst: 1, period: 100_000, realtimeRuntime: 2, realtimePeriod: 3, cpus: "0-1", mems: "0",
                    idle: 0),
                pids: LinuxPids(limit: 64), unified: ["memory.high": "max"]),
            cgroupsPath: "/tau/x",
            namespaces: [LinuxNamespace(type: .pid), LinuxNamespace(type: .network, path: "/proc/1/ns/net")],
            devices: [LinuxDevice(type: "c", path: "/dev/x", major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0)],
            seccomp: LinuxSeccomp(
                defaultAction: .errno, defaultErrnoRet: 1, architectures: [.x86_64, .x86], flags: [.tsync, .log],
                listenerPath: "/run/l.sock", listenerMetadata: "m",
                syscalls: [
                    LinuxSyscall(names: ["read", "write"], action: .allow),
                    LinuxSyscall(
                        names: ["clone"], action: .errno, errnoRet: 38,
                        args: [LinuxSeccompArg(index: 0, value: 0x7E02_0000, valueTwo: 0, op: .maskedEqual),
                               LinuxSeccompArg(index: 1, value: UInt64.max, op: .notEqual)]),
                ]),
            rootfsPropagation: "rslave", maskedPaths: ["/proc/kcore"], readonlyPaths: [], mountLabel: "l"))

    @Test func everyWrittenFieldMatchesSpecEncodedJSON() throws {
        _ = try ConfigJSON.tree(Self.everything)  // no fallback
        #expect(String(decoding: ConfigJSON.encode(Self.everything), as: UTF8.self)
            == String(decoding: Self.everything.encodedJSON(), as: UTF8.self))
        let minimal = Spec(ociVersion: "1.0.2", process: Process(user: User(uid: 0, gid: 0), cwd: "/"))
        #expect(ConfigJSON.encode(minimal) == minimal.encodedJSON())
    }

    @Test(arguments: GoldenBundleTests.examples)
    func generatedBundlesMatchSpecEncodedJSON(_ example: GoldenBundleTests.Example) throws {
        let directory = TestSupport.temporaryDirectory("configjson")
        defer { TestSupport.remove(directory) }
        let generated = try GoldenBundleTests.generate(example, rootfs: TestSupport.makeRootfs(in: directory))
        _ = try ConfigJSON.tree(generated.spec)
        #expect(ConfigJSON.encode(generated.spec) == generated.spec.encodedJSON())
    }

    @Test func aFieldItDoesNotWriteFallsBackToCodable() {
        var spec = Self.everything
        spec.hooks = Hooks(prestart: [Hook(path: "/bin/true")])
        #expect(throws: ConfigJSON.Unsupported(field: "hooks")) { try ConfigJSON.tree(spec) }
        #expect(ConfigJSON.encode(spec) == spec.encodedJSON())
        spec = Self.everything
        spec.linux?.resources?.blockIO = LinuxBlockIO(weight: 10)
        #expect(throws: ConfigJSON.Unsupported(field: "linux.resources.blockIO")) { try ConfigJSON.tree(spec) }
        #expect(ConfigJSON.encode(spec) == spec.encodedJSON())
        spec = Self.everything
        spec.process?.consoleSize = Box(height: 1, width: 2)
        #expect(ConfigJSON.encode(spec) == spec.encodedJSON())
    }

    /// A property added to a TaurunOCI type must be added to ConfigJSON (written or refused), or this fails.
    @Test func fieldListsAreTheModelTypesProperties() throws {
        let linux = try #require(Self.everything.linux)
        let resources = try #require(linux.resources)
        let seccomp = try #require(linux.seccomp)
        let instances: [String: Any] = [
            "Spec": Self.everything, "Process": try #require(Self.everything.process), "User": User(uid: 0, gid: 0),
            "Root": Root(path: "r"), "Mount": Mount(destination: "/"), "LinuxCapabilities": LinuxCapabilities(),
            "POSIXRlimit": POSIXRlimit(type: .nofile, hard: 1, soft: 1), "Linux": linux,
            "LinuxIDMapping": LinuxIDMapping(containerID: 0, hostID: 0, size: 1), "LinuxNamespace": LinuxNamespace(type: .pid),
            "LinuxDevice": LinuxDevice(type: "c", path: "/dev/x"), "LinuxResources": resources,
            "LinuxDeviceCgroup": LinuxDeviceCgroup(allow: true), "LinuxMemory": LinuxMemory(), "LinuxCPU": LinuxCPU(),
            "LinuxPids": LinuxPids(limit: 1), "LinuxSeccomp": seccomp, "LinuxSyscall": LinuxSyscall(names: [], action: .allow),
            "LinuxSeccompArg": LinuxSeccompArg(index: 0, value: 0, op: .equalTo),
        ]
        #expect(Set(instances.keys) == Set(ConfigJSON.fields.keys))
        for (name, instance) in instances {
            let properties = Mirror(reflecting: instance).children.compactMap(\.label)
            let known = try #require(ConfigJSON.fields[name])
            #expect(properties.sorted() == (known.written + known.refused).sorted(), "\(name)")
        }
    }
}
