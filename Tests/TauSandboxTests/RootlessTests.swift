#if canImport(Glibc)
import Glibc
#endif
import Testing
import TaurunOCI
@testable import TauProvisioning
@testable import TauSandbox

/// Tau apps converted by an ordinary user (issue 16, item 4), the parts that need no second user: where the state
/// goes, which host ids an app gets, what the sandbox goes without, what the bundle says. Tests/Integration/
/// tau-rootless.bats converts and runs apps as a real unprivileged user.
@Suite(.serialized) struct RootlessIDAllocatorTests {
    let alice = Caller(uid: 1500, gid: 1500, name: "alice")
    let apps = (1...70).compactMap { AppID("org.tauos.app\($0)") }

    func allocator(_ directory: String, subuid: String, subgid: String, caller: Caller) -> IDAllocator {
        TestSupport.write(directory + "/subuid", subuid)
        TestSupport.write(directory + "/subgid", subgid)
        return IDAllocator(stateDirectory: directory + "/state", subordinateFiles: [directory + "/subuid", directory + "/subgid"], caller: caller)
    }

    @Test func anAppGets1024OfTheUsersOwnSubordinateIdsAndNoneOfAnotherUsers() throws {
        let directory = TestSupport.temporaryDirectory("rootless-ids")
        defer { TestSupport.remove(directory) }
        let ranges = "bob:100000:65536\nalice:165536:65536\n"
        let ids = allocator(directory, subuid: ranges, subgid: ranges, caller: alice)
        #expect(ids.rangeSize == 1024)
        #expect(try ids.allocate(apps[0]) == 165_536)
        #expect(try ids.allocate(apps[1]) == 166_560)
        #expect(try ids.allocate(apps[0]) == 165_536)
        #expect(ids.userSlots().count == 64)
        #expect(ids.userSlots().allSatisfy { $0 >= 165_536 && $0 + 1024 <= 231_072 })
    }

    @Test func onlyIdsBothFilesGiveCountAndAUidMayNameTheUser() throws {
        let directory = TestSupport.temporaryDirectory("rootless-ids-both")
        defer { TestSupport.remove(directory) }
        // subuid names alice by uid, subgid by name and starts 512 later: one base maps both, so slots start there.
        let ids = allocator(directory, subuid: "1500:165536:65536\n", subgid: "alice:166048:4096\n", caller: alice)
        #expect(ids.userSlots() == [166_048, 167_072, 168_096, 169_120])
    }

    @Test func aUserWithoutSubordinateIdsOrWithEverySlotHandedOutIsRefusedSayingHowToGetMore() throws {
        let directory = TestSupport.temporaryDirectory("rootless-ids-none")
        defer { TestSupport.remove(directory) }
        let none = allocator(directory, subuid: "bob:100000:65536\n", subgid: "bob:100000:65536\n", caller: alice)
        #expect {
            try none.allocate(apps[0])
        } throws: { error in
            (error as? SandboxError)?.message.contains("alice has no subordinate ids for apps") == true
                && (error as? SandboxError)?.message.contains("usermod --add-subuids") == true
        }
        _ = mkdir(directory + "/two", 0o755)
        let two = allocator(directory + "/two", subuid: "alice:165536:2048\n", subgid: "alice:165536:2048\n", caller: alice)
        #expect(try two.allocate(apps[0]) == 165_536)
        #expect(try two.allocate(apps[1]) == 166_560)
        // A released slot is never handed out again, for the user's apps as for root's.
        try two.release(apps[0], keep: false)
        #expect {
            try two.allocate(apps[2])
        } throws: { error in
            (error as? SandboxError)?.message.contains("no free host id range left: 2 apps of 1024 ids") == true
        }
    }

    @Test func rootKeepsTheHostPool() throws {
        let directory = TestSupport.temporaryDirectory("rootless-ids-root")
        defer { TestSupport.remove(directory) }
        let ids = allocator(directory, subuid: "alice:165536:65536\n", subgid: "alice:165536:65536\n", caller: Caller(uid: 0, gid: 0, name: "root"))
        #expect(ids.rangeSize == 65536)
        #expect(try ids.allocate(apps[0]) == 200_000 + 65536)  // slot 0 overlaps alice's range
    }
}

@Suite struct RootlessSandboxTests {
    static let camera = HostDevice(role: .camera, hostPath: "/dev/video0", containerPath: "/dev/video0", major: 81, minor: 0, gid: 44, mode: 0o660)
    static let openGPU = HostDevice(role: .gpu, hostPath: "/dev/dri/renderD128", containerPath: "/dev/dri/renderD128", major: 226, minor: 128, gid: 105, mode: 0o666)

    static func policy(_ directory: String) -> Result<ResourcePolicy, SandboxError> {
        Result { () throws(SandboxError) in try ResourcePolicy.load(stateDirectory: directory) }
    }

    static func manifest(_ directory: String, _ name: String, _ extra: String) throws -> Manifest {
        let path = directory + "/\(name).toml"
        TestSupport.write(path, "id = \"org.tauos.rl\"\ncommand = [\"/bin/sh\"]\n" + extra)
        return try ManifestLoader.load(path: path)
    }

    static func inputs(_ manifest: Manifest, granted: Set<Permission> = [], host: HostFacts) -> BundleInputs {
        var inputs = BundleInputs(
            manifest: manifest, permissions: EffectivePermissions(granted: granted, denied: []), hostIDBase: 165_536,
            homeHostPath: "/home/alice/.local/share/taurun/apps/org.tauos.rl/home", rootfsHostPath: "/srv/rootfs", dataMounts: [], host: host,
            resolvConfHostPath: "/home/alice/.local/share/taurun/network/resolv.conf")
        inputs.hostIDCount = IDAllocator.userRangeSize
        return inputs
    }

    @Test func whatNeedsRootGoesOneLineEachAndTheRestStays() throws {
        let directory = TestSupport.temporaryDirectory("rootless-reduce")
        defer { TestSupport.remove(directory) }
        let manifest = try Self.manifest(directory, "reduce", """
            [permissions]
            camera = true
            [resources]
            memory = "256M"
            cpu = 0.5
            pids = 64
            disk = "64M"
            """)
        var inputs = Self.inputs(
            manifest, granted: [.camera, .gpu],
            host: HostFacts(devices: [Self.camera, Self.openGPU], appArmorEnabled: true, userCgroupControllers: ["pids"]))
        let omissions = RootlessSandbox.reduce(&inputs)
        #expect(omissions.map(\.subject) == [
            "resources.disk (64M)", "resources.memory (256M), resources.cpu (0.5 cores)", "its AppArmor profile taurun-org.tauos.rl",
            "/dev/video0",
        ])
        #expect(omissions[0].line(app: manifest.id).hasPrefix("org.tauos.rl runs without resources.disk (64M): a disk quota is an ext4 image"))
        // The pids limit a cgroup of the user's can hold stays; a device "other" may open stays.
        #expect(inputs.manifest.resources == ResourceLimits(pids: 64))
        #expect(!inputs.loadsAppArmorProfile)
        #expect(BundleGenerator.devices(inputs).map(\.hostPath) == ["/dev/dri/renderD128"])
    }

    /// Under on_violation = "ask" an undecided camera is bound for the runtime prompt only when its mode keeps the
    /// app out by itself: rootless, no device cgroup refuses the app's own open.
    @Test func anAskedDeviceAnyoneMayOpenIsLeftOutRootless() throws {
        let directory = TestSupport.temporaryDirectory("rootless-asked")
        defer { TestSupport.remove(directory) }
        let manifest = try Self.manifest(directory, "asked", "on_violation = \"ask\"\n[permissions]\ncamera = true\n")
        let openCamera = HostDevice(role: .camera, hostPath: "/dev/video1", containerPath: "/dev/video1", major: 81, minor: 1, gid: 44, mode: 0o666)
        var inputs = Self.inputs(manifest, host: HostFacts(devices: [Self.camera, openCamera], appArmorEnabled: false))
        let omissions = RootlessSandbox.reduce(&inputs)
        #expect(omissions.map(\.subject).last == "/dev/video1")
        #expect(BundleGenerator.askedDevices(inputs).map(\.device.hostPath) == ["/dev/video0"])
    }

    @Test func theBundleMapsTheUsersRangeAndNamesNoProfileNobodyLoaded() throws {
        let directory = TestSupport.temporaryDirectory("rootless-bundle")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        let manifest = try Self.manifest(directory, "bundle", "")
        let host = HostFacts(appArmorEnabled: true, userCgroupControllers: [])
        func generate(_ inputs: BundleInputs) throws -> Spec {
            let layout = try RootfsLayoutPlanner.plan(sourceRoot: rootfs, mountPoints: BundleGenerator.mountPoints(inputs))
            return try BundleGenerator.generate(inputs, layout: layout, rootPath: directory + "/skeleton").spec
        }
        // As root would convert it: the profile convert loads is named.
        #expect(try generate(Self.inputs(manifest, host: host)).process?.apparmorProfile == "taurun-org.tauos.rl")
        var inputs = Self.inputs(manifest, host: host)
        _ = RootlessSandbox.reduce(&inputs)
        let spec = try generate(inputs)
        #expect(spec.process?.apparmorProfile == nil)
        #expect(spec.linux?.uidMappings == [LinuxIDMapping(containerID: 0, hostID: 165_536, size: 1024)])
        #expect(spec.linux?.gidMappings == [LinuxIDMapping(containerID: 0, hostID: 165_536, size: 1024)])
        #expect(spec.linux?.resources?.memory == nil && spec.linux?.resources?.pids == nil)
        #expect(spec.process?.user.uid == 1000)
        #expect(spec.annotations?[TauAnnotation.appArmorProfile] == "taurun-org.tauos.rl")
    }

    @Test func sandboxNoneAndRequireLSMAreRefusedAndExplainSaysSo() throws {
        let directory = TestSupport.temporaryDirectory("rootless-refused")
        defer { TestSupport.remove(directory) }
        let none = try Self.manifest(directory, "none", "sandbox = \"none\"\nsandbox_unsafe_ack = true\n")
        #expect(throws: SandboxError.self) { try RootlessSandbox.requireSupported(none) }
        let strict = try Self.manifest(directory, "strict", "require_lsm = true\n")
        let lines = try TauConverter.rootlessLines(strict, record: GrantRecord(app: strict.id), host: HostFacts(), policy: Self.policy(directory))
        #expect(lines.count == 1)
        #expect(lines[0].hasPrefix("refused: org.tauos.rl sets require_lsm = true, and loading its AppArmor profile taurun-org.tauos.rl needs root"))
        let plain = try Self.manifest(directory, "plain", "")
        let explained = try TauConverter.rootlessLines(plain, record: GrantRecord(app: plain.id), host: HostFacts(userCgroupControllers: []), policy: Self.policy(directory))
        if FileSystem.kind("/usr/bin/newuidmap") != nil && FileSystem.kind("/usr/bin/newgidmap") != nil {
            // The defaults (limits.json's, else built in) are what goes without a cgroup of the user's.
            #expect(explained.first == "without resources.memory (1G), resources.cpu (2.0 cores), resources.pids (1024): "
                + "no cgroup of yours can hold them: the runtime makes the app's cgroup below your own, which you may not write there "
                + "(cgroup v1 is never delegated to users; on cgroup v2, convert and run from a delegated systemd --user scope)")
        }
        let text = Explanation.make(manifest: plain, record: GrantRecord(app: plain.id), host: HostFacts(), rootless: explained).renderText()
        #expect(text.contains("\nrootless (converted without root)\n  without "))
        #expect(text.contains("(without root: profile written, not loaded)"))
    }
}

@Suite struct RootlessHostTests {
    @Test func theUsersStateIsInTheirOwnDataDirectory() {
        let root = Caller(uid: 0, gid: 0, name: "root"), alice = Caller(uid: 1500, gid: 1500, name: "alice")
        let passwd = "alice:x:1500:1500::/home/alice:/bin/sh\n"
        #expect(StateLayout.defaultDirectory(for: root, xdgDataHome: "/x", home: "/root") == "/var/lib/taurun")
        #expect(StateLayout.defaultDirectory(for: alice, xdgDataHome: "/data/alice/", home: "/home/alice") == "/data/alice/taurun")
        // A relative XDG_DATA_HOME is ignored, as the XDG spec says; without HOME, passwd's home.
        #expect(StateLayout.defaultDirectory(for: alice, xdgDataHome: "data", home: "/home/alice") == "/home/alice/.local/share/taurun")
        #expect(StateLayout.defaultDirectory(for: alice, xdgDataHome: nil, home: nil, passwd: passwd) == "/home/alice/.local/share/taurun")
    }

    @Test func theControllersThatCanLimitAUsersAppAreThoseOfCgroupsOfTheirsTheyMayWrite() throws {
        let directory = TestSupport.temporaryDirectory("rootless-cgroups")
        defer { TestSupport.remove(directory) }
        // cgroup v1: the memory hierarchy has the caller's cgroup (here writable: the tests run as root, and
        // access(2) grants root what exists), the pids hierarchy has none, name=systemd is no controller.
        _ = TestSupport.run("/bin/mkdir", ["-p", directory + "/v1/memory/user/s", directory + "/v1/name=systemd/user/s"])
        TestSupport.write(directory + "/v1.cgroup", "8:pids:/user/s\n4:memory:/user/s\n1:name=systemd:/user/s\n")
        #expect(HostProbe.userCgroupControllers(procSelfCgroup: directory + "/v1.cgroup", root: directory + "/v1") == ["memory"])
        // cgroup v2: what the caller's own cgroup offers.
        _ = TestSupport.run("/bin/mkdir", ["-p", directory + "/v2/user/s"])
        TestSupport.write(directory + "/v2/cgroup.controllers", "cpu memory pids io\n")
        TestSupport.write(directory + "/v2/user/s/cgroup.controllers", "memory pids\n")
        TestSupport.write(directory + "/v2.cgroup", "0::/user/s\n")
        #expect(HostProbe.userCgroupControllers(procSelfCgroup: directory + "/v2.cgroup", root: directory + "/v2") == ["memory", "pids"])
    }

    @Test func everyDirectoryTheAppsRootCannotTraverseIsNamedAtOnce() throws {
        let directory = TestSupport.temporaryDirectory("rootless-traverse")
        defer { TestSupport.remove(directory) }
        _ = TestSupport.run("/bin/mkdir", ["-p", directory + "/a/b/c"])
        chmod(directory + "/a", 0o700)
        chmod(directory + "/a/b", 0o750)
        #expect {
            try AccessCheck.requireTraversable(directory + "/a/b/c", origin: "--state-dir")
        } throws: { error in
            (error as? SandboxError)?.message == "--state-dir: \(directory)/a (mode 700), \(directory)/a/b (mode 750): the app's unprivileged "
                + "host uid must be able to traverse them (chmod o+x \(directory)/a \(directory)/a/b, or use another directory)"
        }
        chmod(directory + "/a", 0o711)
        chmod(directory + "/a/b", 0o751)
        try AccessCheck.requireTraversable(directory + "/a/b/c", origin: "--state-dir")
    }
}
