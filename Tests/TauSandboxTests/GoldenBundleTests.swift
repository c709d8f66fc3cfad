#if canImport(Glibc)
import Glibc
#endif
import Testing
import TaurunOCI
import TaurunSupport
@testable import TauProvisioning
@testable import TauSandbox

/// Golden config.json per example app (Fixtures/golden/<name>.config.json; TAU_UPDATE_GOLDEN=1 rewrites them),
/// schema validation against the runtime-spec JSON schema Debian ships, and the AppArmor profile compile check.
@Suite(.serialized) struct GoldenBundleTests {
    struct Example: Sendable, CustomTestStringConvertible {
        var name: String
        var manifest: String
        var granted: Set<Permission>
        var denied: Set<Permission>
        var data: [DataMount]
        var base: UInt32
        var testDescription: String { name }
    }

    static let examples: [Example] = [
        Example(name: "hello", manifest: "hello/tau.toml", granted: [], denied: [], data: [], base: 200_000),
        Example(
            name: "media", manifest: "media/manifest.tau", granted: [.network, .camera, .microphone, .filesystemReadOnly], denied: [],
            data: [DataMount(path: "/srv/media", writable: false, isDirectory: true)], base: 265_536),
        Example(
            name: "media-denied", manifest: "media/manifest.tau", granted: [.filesystemReadOnly], denied: [.network, .camera, .microphone],
            data: [DataMount(path: "/srv/media", writable: false, isDirectory: true)], base: 265_536),
        Example(
            name: "notes", manifest: "notes/tau-app.json", granted: [.filesystemReadWrite], denied: [],
            data: [DataMount(path: "/srv/notes", writable: true, isDirectory: true)], base: 331_072),
    ]

    static let host = HostFacts(
        devices: [
            HostDevice(role: .camera, hostPath: "/dev/video0", containerPath: "/dev/video0", major: 81, minor: 0, gid: 44, mode: 0o660),
            HostDevice(role: .gpu, hostPath: "/dev/dri/renderD128", containerPath: "/dev/dri/renderD128", major: 226, minor: 128, gid: 105, mode: 0o660),
        ],
        appArmorEnabled: false,
        routeHelper: RouteHelper(taurun: "/usr/local/bin/taurun", slirp4netns: "/usr/bin/slirp4netns"))

    static func generate(_ example: Example, rootfs: String) throws -> GeneratedBundle {
        let manifest = try ManifestLoader.load(path: "\(TestSupport.repositoryRoot)/bundles/\(example.manifest)")
        let inputs = BundleInputs(
            manifest: manifest, permissions: EffectivePermissions(granted: example.granted, denied: example.denied),
            hostIDBase: example.base, homeHostPath: "/var/lib/taurun/apps/\(manifest.id)/home", rootfsHostPath: rootfs,
            dataMounts: example.data, host: host, resolvConfHostPath: "/var/lib/taurun/network/resolv.conf")
        let layout = try RootfsLayoutPlanner.plan(sourceRoot: rootfs, mountPoints: BundleGenerator.mountPoints(inputs))
        return try BundleGenerator.generate(inputs, layout: layout, rootPath: RootfsSkeleton.path(for: layout, stateDirectory: "/var/lib/taurun"))
    }

    static func configText(_ generated: GeneratedBundle, rootfs: String) -> String {
        String(decoding: generated.spec.encodedJSON(), as: UTF8.self).replacingOccurrences(rootfs, with: "@ROOTFS@")
    }

    @Test(arguments: GoldenBundleTests.examples)
    func configMatchesGolden(_ example: Example) throws {
        let directory = TestSupport.temporaryDirectory("golden")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        let text = Self.configText(try Self.generate(example, rootfs: rootfs), rootfs: rootfs)
        let golden = "\(TestSupport.fixtures)/golden/\(example.name).config.json"
        if getenv("TAU_UPDATE_GOLDEN") != nil {
            try FileSystem.replaceFile(golden, bytes: Array(text.utf8))
        }
        let expected = try #require(TestSupport.read(golden), "missing \(golden); run with TAU_UPDATE_GOLDEN=1")
        #expect(text == expected)
    }

    /// The translation is every byte convert writes into the bundle, decided without the state directory: it names
    /// the skeleton there but neither makes it nor anything else (TauProvisioning writes).
    @Test(arguments: GoldenBundleTests.examples)
    func translationIsTheBundlesFilesAndTouchesNothing(_ example: Example) throws {
        let directory = TestSupport.temporaryDirectory("translate")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        let state = directory + "/state"
        let manifest = try ManifestLoader.load(path: "\(TestSupport.repositoryRoot)/bundles/\(example.manifest)")
        var inputs = BundleInputs(
            manifest: manifest, permissions: EffectivePermissions(granted: example.granted, denied: example.denied),
            hostIDBase: example.base, homeHostPath: StateLayout.homeDirectory(state, manifest.id), rootfsHostPath: rootfs,
            dataMounts: example.data, host: Self.host, resolvConfHostPath: StateLayout.resolvConf(state))
        inputs.stateDirectory = state
        let layout = try RootfsLayoutPlanner.plan(sourceRoot: rootfs, mountPoints: BundleGenerator.mountPoints(inputs))
        let plan = ConvertPlan(manifest: manifest, inputs: inputs, layout: layout, record: GrantRecord(app: manifest.id), recordChanged: true)
        let translation = try TauConverter.translate(plan, stateDirectory: state)

        #expect(FileSystem.kind(state) == nil)
        #expect(translation.skeletonPath == state + "/skeletons/" + translation.skeletonName)
        #expect(translation.generated.spec.root?.path == translation.skeletonPath)
        #expect(translation.hostUID == example.base + 1000)
        #expect(translation.bundleFiles.map(\.path) == ["tau/apparmor.profile", "tau/seccomp.json", "tau/bundle.json", "config.json"])
        #expect(translation.bundleFiles.last?.bytes == translation.generated.spec.encodedJSON())
        let marker = try JSONParser.parse(try #require(translation.bundleFiles.first { $0.path == BundleFiles.marker }).bytes)
        #expect(marker["app"]?.stringValue == manifest.id.rawValue)
        #expect(try TauConverter.translate(plan, stateDirectory: state).bundleFiles == translation.bundleFiles)
    }

    @Test(arguments: GoldenBundleTests.examples)
    func generationIsDeterministic(_ example: Example) throws {
        let directory = TestSupport.temporaryDirectory("determinism")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        let first = try Self.generate(example, rootfs: rootfs)
        let second = try Self.generate(example, rootfs: rootfs)
        #expect(first.spec.encodedJSON() == second.spec.encodedJSON())
        #expect(first.appArmorProfile == second.appArmorProfile)
    }

    @Test(arguments: GoldenBundleTests.examples)
    func configValidatesAgainstTheRuntimeSpecSchema(_ example: Example) throws {
        try #require(FileSystem.kind(TestSupport.schemaDirectory + "/config-schema.json") != nil, "golang-github-opencontainers-specs-dev missing")
        let directory = TestSupport.temporaryDirectory("schema")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        let config = directory + "/config.json"
        try FileSystem.createFile(config, bytes: try Self.generate(example, rootfs: rootfs).spec.encodedJSON())
        let result = Self.validate(config)
        #expect(result.status == 0, "\(result.output)")
    }

    @Test(arguments: GoldenBundleTests.examples)
    func configPassesTaurunValidationAndRoundTrips(_ example: Example) throws {
        let directory = TestSupport.temporaryDirectory("validate")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        let spec = try Self.generate(example, rootfs: rootfs).spec
        try spec.validate()
        #expect(try Spec.decode(spec.encodedJSON()) == spec)
    }

    @Test func schemaValidationCanFail() throws {
        let directory = TestSupport.temporaryDirectory("schema-bad")
        defer { TestSupport.remove(directory) }
        let config = directory + "/config.json"
        TestSupport.write(config, #"{"ociVersion": "1.0.2", "process": {"cwd": "relative", "user": {"uid": "root"}}}"#)
        #expect(Self.validate(config).status != 0)
    }

    static func validate(_ config: String) -> TestSupport.Result {
        let script = """
            import json, sys, jsonschema
            d = sys.argv[1]
            schema = json.load(open(d + '/config-schema.json'))
            resolver = jsonschema.RefResolver('file://' + d + '/', schema)
            jsonschema.Draft4Validator(schema, resolver=resolver).validate(json.load(open(sys.argv[2])))
            """
        return TestSupport.run("/usr/bin/python3", ["-W", "ignore", "-c", script, TestSupport.schemaDirectory, config])
    }

    @Test(arguments: GoldenBundleTests.examples)
    func appArmorProfileCompiles(_ example: Example) throws {
        try #require(FileSystem.kind("/sbin/apparmor_parser") != nil || FileSystem.kind("/usr/sbin/apparmor_parser") != nil, "apparmor not installed")
        let directory = TestSupport.temporaryDirectory("apparmor")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        let generated = try Self.generate(example, rootfs: rootfs)
        let profile = directory + "/apparmor.profile"
        TestSupport.write(profile, generated.appArmorProfile)
        let result = TestSupport.run("apparmor_parser", ["-Q", "-K", profile])
        #expect(result.status == 0, "\(result.output)")
        #expect(generated.appArmorProfile.contains("profile taurun-\(generated.spec.hostname ?? "")"))
        #expect(generated.appArmorProfile.contains(example.granted.contains(.network) ? "  network,\n" : "  network unix,\n"))
    }

    /// A hostile app package: names in its rootfs that would close the profile and add rules or a profile of their
    /// own (`}`, `file,`, `network,`), globs that would widen a rule (`*`), spaces the parser rejected unquoted. Each is
    /// quoted and escaped so the profile compiles and names exactly those files; control characters are refused.
    @Test func hostileRootfsNamesCannotInjectAppArmorRules() throws {
        try #require(FileSystem.kind("/sbin/apparmor_parser") != nil || FileSystem.kind("/usr/sbin/apparmor_parser") != nil, "apparmor not installed")
        let directory = TestSupport.temporaryDirectory("apparmor-hostile")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        let hostile = ["x } profile evil { file, network, } #", "a b", "all*", "@{HOME}", "q\"uote", "back\\slash", "caret^[x]"]
        for name in hostile {
            TestSupport.write(rootfs + "/" + name, "")
        }
        let generated = try Self.generate(Self.examples[0], rootfs: rootfs)
        let profile = directory + "/apparmor.profile"
        TestSupport.write(profile, generated.appArmorProfile)
        let result = TestSupport.run("apparmor_parser", ["-Q", "-K", profile])
        #expect(result.status == 0, "\(result.output)")
        // No rule but the generator's own: one profile, no bare `file,` or `network,` line, every path quoted.
        let lines = generated.appArmorProfile.split(separator: "\n").map { $0.trimmingPrefix(" ") }
        #expect(lines.filter { $0.hasPrefix("profile ") }.count == 1)
        #expect(!lines.contains("file,") && !lines.contains("network,"))
        #expect(generated.appArmorProfile.contains(#""/all\*" r,"#))
        #expect(generated.appArmorProfile.contains(#""/\@\{HOME\}" r,"#))
        #expect(generated.appArmorProfile.contains(#""/a b" r,"#))
    }

    /// Issue 14, item 10: the profile root loads is the one taurun generated, passed on apparmor_parser's stdin
    /// (no file a bundle owner could swap in between); the parser takes it from there.
    @Test func theProfileReachesTheParserOnStdin() throws {
        try #require(FileSystem.kind("/sbin/apparmor_parser") != nil || FileSystem.kind("/usr/sbin/apparmor_parser") != nil, "apparmor not installed")
        let echoed = try HelperCommand.run("cat", [], input: Array("line one\nline two\n".utf8))
        #expect(echoed.status == 0 && echoed.output == "line one; line two")
        let directory = TestSupport.temporaryDirectory("apparmor-stdin")
        defer { TestSupport.remove(directory) }
        let generated = try Self.generate(Self.examples[0], rootfs: TestSupport.makeRootfs(in: directory))
        let good = try HelperCommand.run("apparmor_parser", ["-Q", "-K"], input: Array(generated.appArmorProfile.utf8))
        #expect(good.status == 0, "\(good.output)")
        let bad = try HelperCommand.run("apparmor_parser", ["-Q", "-K"], input: Array("profile broken {\n  /etc/** rwzz,\n}\n".utf8))
        #expect(bad.status != 0)
    }

    @Test func aRootfsNameWithAControlCharacterIsRefusedBeforeAnythingIsWritten() throws {
        let directory = TestSupport.temporaryDirectory("apparmor-control")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        TestSupport.write(rootfs + "/evil\nname", "")
        #expect(throws: SandboxError.self) { try RootfsLayoutPlanner.plan(sourceRoot: rootfs, mountPoints: []) }
    }

    @Test func appArmorCompileCheckCanFail() throws {
        let directory = TestSupport.temporaryDirectory("apparmor-bad")
        defer { TestSupport.remove(directory) }
        let profile = directory + "/bad.profile"
        TestSupport.write(profile, "profile broken {\n  /etc/** rwzz,\n}\n")
        #expect(TestSupport.run("apparmor_parser", ["-Q", "-K", profile]).status != 0)
    }

    @Test func permissionsShapeTheSpec() throws {
        let directory = TestSupport.temporaryDirectory("shape")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        let granted = try Self.generate(Self.examples[1], rootfs: rootfs).spec
        let denied = try Self.generate(Self.examples[2], rootfs: rootfs).spec
        let namespaces = { (spec: Spec) in Set(spec.linux?.namespaces?.map(\.type.rawValue) ?? []) }
        // Every app has its own network namespace; `network` adds the route out (the createRuntime hook) and the
        // resolv.conf naming slirp4netns's DNS forwarder.
        #expect(namespaces(granted).contains("network"))
        #expect(namespaces(denied).contains("network"))
        #expect(granted.hooks?.createRuntime == Self.host.routeHelper.map { [$0.hook] })
        #expect(granted.hooks?.createRuntime?.first?.args == ["taurun", "network-hook", "--slirp4netns", "/usr/bin/slirp4netns"])
        #expect(granted.annotations?["org.tauos.app.network_route"] == "open")
        #expect(granted.mounts?.contains { $0.destination == "/etc/resolv.conf" && $0.source == "/var/lib/taurun/network/resolv.conf" } == true)
        #expect(denied.hooks == nil && denied.annotations?["org.tauos.app.network_route"] == nil)
        #expect(denied.mounts?.contains { $0.destination == "/etc/resolv.conf" } == false)
        // A fresh sysfs for both: the app's network namespace is owned by its user namespace.
        #expect(granted.mounts?.first { $0.destination == "/sys" }?.type == "sysfs")
        #expect(namespaces(denied).isSuperset(of: ["user", "pid", "ipc", "uts", "mount", "cgroup"]))
        #expect(granted.mounts?.contains { $0.destination == "/dev/video0" } == true)
        #expect(denied.mounts?.contains { $0.destination.hasPrefix("/dev/video") } == false)
        #expect(granted.mounts?.contains { $0.destination == "/dev/dri/renderD128" } == false)  // gpu not requested
        #expect(granted.linux?.resources?.devices?.contains { $0.allow && $0.major == 81 && $0.minor == 0 } == true)
        #expect(denied.linux?.resources?.devices?.filter(\.allow).isEmpty == true)
        let socketRules = { (spec: Spec) in spec.linux?.seccomp?.syscalls?.filter { $0.names.contains("socket") } ?? [] }
        #expect(socketRules(granted).allSatisfy { $0.action == .allow && $0.args == nil })
        // Without network only AF_UNIX is allowed; every other family falls to the default action (a violation).
        #expect(socketRules(denied).map(\.action) == [.allow])
        #expect(socketRules(denied).first?.args == [LinuxSeccompArg(index: 0, value: 1, op: .equalTo)])
        #expect(denied.linux?.seccomp?.defaultAction == .killProcess)
        #expect(granted.process?.user.uid == 1000 && granted.process?.noNewPrivileges == true)
        #expect(granted.process?.capabilities?.bounding == [])
        #expect(granted.process?.env?.contains("TMPDIR=/home/app/tmp") == true)
        #expect(granted.process?.apparmorProfile == nil)  // AppArmor LSM off in `host`
        #expect(granted.annotations?["org.tauos.app.apparmor_profile"] == "taurun-org.tauos.media")
        #expect(denied.annotations?["org.tauos.app.permissions"] == "filesystem:ro")
        #expect(denied.annotations?["org.tauos.app.permissions.denied"] == "network,camera,microphone")
        #expect(granted.root?.readonly == true)
    }

    /// The route for runtime prompts: the hook and resolv.conf as with `network`, the seccomp filter as without it.
    /// The default route follows the decision: open when granted; gated when the monitor may ask for it at runtime
    /// (on_violation = "ask", requested, not granted); none otherwise.
    @Test func theDefaultRouteFollowsTheGrantAndOnViolation() throws {
        let directory = TestSupport.temporaryDirectory("route-default")
        defer { TestSupport.remove(directory) }
        func inputs(_ text: String, granted: Set<Permission>) throws -> BundleInputs {
            let path = directory + "/tau-\(text.count)-\(granted.count).toml"
            TestSupport.write(path, "id = \"org.tauos.route\"\ncommand = [\"/bin/sh\"]\n" + text)
            return BundleInputs(
                manifest: try ManifestLoader.load(path: path), permissions: EffectivePermissions(granted: granted, denied: []),
                hostIDBase: 200_000, homeHostPath: "/h", rootfsHostPath: "/r", dataMounts: [], host: Self.host, resolvConfHostPath: "/r")
        }
        let asks = "on_violation = \"ask\"\n[permissions]\nnetwork = true\n"
        #expect(try inputs(asks, granted: []).networkRoute == .gated)
        #expect(try inputs(asks, granted: [.network]).networkRoute == .open)
        #expect(try inputs("on_violation = \"deny\"\n[permissions]\nnetwork = true\n", granted: []).networkRoute == .none)
        #expect(try inputs("on_violation = \"ask\"\n", granted: []).networkRoute == .none)
    }

    /// Devices for runtime prompts: under on_violation = "ask", the nodes of a requested camera or microphone nobody
    /// granted are bound in and named in the annotation, but have no device cgroup rule and no group mapped in: the
    /// app's own open fails, the monitor's open on the host is what it gets (docs/prompts.md, "Devices").
    @Test func askedDevicesAreBoundButNotAllowed() throws {
        let directory = TestSupport.temporaryDirectory("asked-devices")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        var host = Self.host
        host.devices += [
            HostDevice(role: .soundControl, hostPath: "/dev/snd/controlC0", containerPath: "/dev/snd/controlC0", major: 116, minor: 0, gid: 29, mode: 0o660),
            HostDevice(role: .soundCapture, hostPath: "/dev/snd/pcmC0D0c", containerPath: "/dev/snd/pcmC0D0c", major: 116, minor: 3, gid: 29, mode: 0o660),
            HostDevice(role: .soundPlayback, hostPath: "/dev/snd/pcmC0D0p", containerPath: "/dev/snd/pcmC0D0p", major: 116, minor: 2, gid: 29, mode: 0o660),
        ]
        func spec(granted: Set<Permission>, onViolation: String = "ask") throws -> Spec {
            let path = directory + "/tau-\(onViolation)-\(granted.count).toml"
            TestSupport.write(path, "id = \"org.tauos.asks\"\ncommand = [\"/bin/sh\"]\non_violation = \"\(onViolation)\"\n[permissions]\ncamera = true\nmicrophone = true\n")
            let inputs = BundleInputs(
                manifest: try ManifestLoader.load(path: path),
                permissions: EffectivePermissions(granted: granted, denied: Set([.camera, .microphone]).subtracting(granted)),
                hostIDBase: 200_000, homeHostPath: "/h", rootfsHostPath: rootfs, dataMounts: [], host: host, resolvConfHostPath: "/r")
            let layout = try RootfsLayoutPlanner.plan(sourceRoot: rootfs, mountPoints: BundleGenerator.mountPoints(inputs))
            return try BundleGenerator.generate(inputs, layout: layout, rootPath: "/s").spec
        }
        func bound(_ spec: Spec) -> [String] { (spec.mounts ?? []).filter { $0.destination.hasPrefix("/dev/") && $0.type == "bind" }.map(\.destination) }
        func allowed(_ spec: Spec) -> [Int64] { (spec.linux?.resources?.devices ?? []).filter(\.allow).compactMap(\.major) }

        let undecided = try spec(granted: [])
        #expect(undecided.annotations?["org.tauos.app.devices.asked"]
            == "microphone:/dev/snd/controlC0:116:0,microphone:/dev/snd/pcmC0D0c:116:3,camera:/dev/video0:81:0")
        #expect(bound(undecided) == ["/dev/snd/controlC0", "/dev/snd/pcmC0D0c", "/dev/video0"])
        #expect(allowed(undecided).isEmpty)
        #expect(undecided.linux?.gidMappings?.count == 1)

        // The camera granted: allowed and its group mapped as always; only the microphone's nodes are asked.
        let camera = try spec(granted: [.camera])
        #expect(camera.annotations?["org.tauos.app.devices.asked"] == "microphone:/dev/snd/controlC0:116:0,microphone:/dev/snd/pcmC0D0c:116:3")
        #expect(allowed(camera) == [81])
        #expect(camera.linux?.gidMappings?.count == 2)

        // Not under ask: nothing asked, nothing bound.
        let deny = try spec(granted: [], onViolation: "deny")
        #expect(deny.annotations?["org.tauos.app.devices.asked"] == nil)
        #expect(bound(deny).isEmpty)
    }

    @Test func aGatedRouteHasTheHookButSocketsStayViolations() throws {
        let directory = TestSupport.temporaryDirectory("gated")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        let manifest = try ManifestLoader.load(path: "\(TestSupport.repositoryRoot)/bundles/hello/tau.toml")
        var inputs = BundleInputs(
            manifest: manifest, permissions: EffectivePermissions(granted: [], denied: [.network]), hostIDBase: 200_000,
            homeHostPath: "/h", rootfsHostPath: rootfs, dataMounts: [], host: Self.host, resolvConfHostPath: "/r")
        #expect(inputs.networkRoute == .none)
        inputs.networkRoute = .gated
        let layout = try RootfsLayoutPlanner.plan(sourceRoot: rootfs, mountPoints: BundleGenerator.mountPoints(inputs))
        let spec = try BundleGenerator.generate(inputs, layout: layout, rootPath: "/s").spec
        #expect(spec.hooks?.createRuntime == Self.host.routeHelper.map { [$0.hook] })
        #expect(spec.annotations?["org.tauos.app.network_route"] == "gated")
        #expect(spec.mounts?.contains { $0.destination == "/etc/resolv.conf" && $0.source == "/r" } == true)
        let socketRules = spec.linux?.seccomp?.syscalls?.filter { $0.names.contains("socket") } ?? []
        #expect(socketRules.first?.args == [LinuxSeccompArg(index: 0, value: 1, op: .equalTo)])

        // No slirp4netns on the host: a route is refused with one line naming the package.
        inputs.host.routeHelper = nil
        #expect(throws: SandboxError.self) { try BundleGenerator.generate(inputs, layout: layout, rootPath: "/s") }
        do {
            _ = try BundleGenerator.routeHelper(inputs)
        } catch {
            #expect(error.message.contains("slirp4netns (Debian package slirp4netns)"))
        }
        inputs.networkRoute = .none
        #expect(try BundleGenerator.generate(inputs, layout: layout, rootPath: "/s").spec.hooks == nil)
    }

    @Test func appArmorProfileIsNamedOnlyWhenTheLSMIsOn() throws {
        let directory = TestSupport.temporaryDirectory("lsm")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        let manifest = try ManifestLoader.load(path: "\(TestSupport.repositoryRoot)/bundles/hello/tau.toml")
        var host = Self.host
        host.appArmorEnabled = true
        let inputs = BundleInputs(
            manifest: manifest, permissions: EffectivePermissions(granted: [], denied: []), hostIDBase: 200_000,
            homeHostPath: "/h", rootfsHostPath: rootfs, dataMounts: [], host: host, resolvConfHostPath: "/r")
        let layout = try RootfsLayoutPlanner.plan(sourceRoot: rootfs, mountPoints: BundleGenerator.mountPoints(inputs))
        #expect(try BundleGenerator.generate(inputs, layout: layout, rootPath: "/s").spec.process?.apparmorProfile == "taurun-org.tauos.hello")
    }

    @Test func skeletonMirrorsTheRootfsAndHoldsEveryMountPoint() throws {
        let directory = TestSupport.temporaryDirectory("skeleton")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        _ = mkdir(rootfs + "/srv", 0o755)
        _ = mkdir(rootfs + "/srv/other", 0o755)
        _ = symlink("bin", rootfs + "/sbin")
        let layout = try RootfsLayoutPlanner.plan(
            sourceRoot: rootfs,
            mountPoints: [MountPoint(path: "/home/app", isDirectory: true), MountPoint(path: "/srv/media", isDirectory: true)])
        let paths = layout.entries.map(\.path)
        #expect(paths == paths.sorted())
        for required in ["/bin", "/etc", "/dev", "/proc", "/sys", "/tmp", "/home", "/home/app", "/srv", "/srv/media", "/srv/other", "/sbin"] {
            #expect(paths.contains(required), "\(required)")
        }
        #expect(layout.entries.contains(.symlink("/sbin", target: "bin")))
        // /srv holds a mount point, so it is recreated and its other children bound one by one.
        #expect(layout.binds.map(\.destination) == ["/bin", "/etc", "/srv/other"])
        #expect(layout.binds.allSatisfy { $0.options?.contains("ro") == true })
    }
}

extension String {
    func replacingOccurrences(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.range(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
