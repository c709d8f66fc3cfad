import Testing
@testable import TauProvisioning
@testable import TauSandbox

@Suite(.serialized) struct GrantTests {
    static func manifest(_ permissions: String) throws -> Manifest {
        try ManifestLoader.parse(
            bytes: Array(#"{"id": "org.tauos.test", "command": ["/bin/sh"], "permissions": \#(permissions)}"#.utf8),
            format: .manifestTau, path: "manifest.tau")
    }

    static func resolve(
        _ manifest: Manifest, record: GrantRecord? = nil, flags: Set<Permission> = [], yes: Bool = false, answers: [Permission: Bool]? = nil
    ) throws(SandboxError) -> (ConsentResolver.Outcome, [Permission]) {
        var prompter: ScriptedPrompter? = answers.map { ScriptedPrompter(answers: $0) }
        let outcome = try ConsentResolver.resolve(
            manifest: manifest, record: record ?? GrantRecord(app: manifest.id), grantFlags: flags, yes: yes, prompter: &prompter)
        return (outcome, prompter?.asked ?? [])
    }

    @Test func undecidedSensitivePermissionsWithoutATerminalFailNamingThem() throws {
        let manifest = try Self.manifest(#"["network", "camera", "gpu"]"#)
        #expect(throws: SandboxError.grantsMissing(app: "org.tauos.test", permissions: [.network, .camera])) {
            _ = try Self.resolve(manifest)
        }
        let message = SandboxError.grantsMissing(app: "org.tauos.test", permissions: [.network, .camera]).line
        #expect(message.contains("taurun grant org.tauos.test network camera"))
    }

    @Test func underAskAnUndecidedNetworkIsLeftToTheRuntimePrompt() throws {
        var manifest = try Self.manifest(#"["network", "camera", "microphone", "display"]"#)
        manifest.onViolation = .ask
        // display cannot be asked for while the app runs (a connect() to a path the monitor never sees): convert still
        // needs it.
        #expect(throws: SandboxError.grantsMissing(app: "org.tauos.test", permissions: [.display])) {
            _ = try Self.resolve(manifest)
        }
        // network, camera and microphone are neither asked at convert nor recorded: not granted, and undecided for
        // the monitor to ask (a socket, an open of a bound device node).
        let (outcome, asked) = try Self.resolve(manifest, answers: [.display: true])
        #expect(asked == [.display])
        #expect(!outcome.effective.has(.network))
        #expect(outcome.effective.denied == [.network, .camera, .microphone])
        #expect(outcome.effective.askedAtRuntime == [.network, .camera, .microphone])
        #expect(outcome.record.decision(for: .network) == nil)
        #expect(outcome.record.decision(for: .camera) == nil)
        // A recorded decision (a runtime "always" answer, grant, revoke) and --yes still decide it; a refusal is
        // denied, not asked at runtime.
        let (granted, _) = try Self.resolve(
            manifest, record: GrantRecord(app: manifest.id, granted: [.network, .display], denied: [.camera]))
        #expect(granted.effective.has(.network))
        #expect(granted.effective.askedAtRuntime == [.microphone])
        #expect(granted.effective.denied == [.camera, .microphone])
        let (yes, _) = try Self.resolve(manifest, yes: true)
        #expect(yes.effective.has(.network) && yes.effective.askedAtRuntime.isEmpty)
        // Without ask, nothing changes: network must be decided at convert.
        manifest.onViolation = .deny
        #expect(throws: SandboxError.grantsMissing(app: "org.tauos.test", permissions: [.network, .camera, .microphone])) {
            _ = try Self.resolve(manifest, record: GrantRecord(app: manifest.id, granted: [.display]))
        }
    }

    @Test func nonSensitivePermissionsNeedNoConsent() throws {
        let (outcome, asked) = try Self.resolve(try Self.manifest(#"["gpu", "filesystem:ro"]"#), answers: [:])
        #expect(outcome.effective.granted == [.gpu, .filesystemReadOnly])
        #expect(asked.isEmpty)
    }

    /// audio binds the sound-server socket, through which any client can record: it is asked for, and the
    /// question says so.
    @Test func audioIsAskedForAndTheQuestionSaysItRecords() throws {
        let (outcome, asked) = try Self.resolve(try Self.manifest(#"["audio"]"#), answers: [.audio: false])
        #expect(asked == [.audio])
        #expect(outcome.effective.denied == [.audio])
        #expect(Permission.audio.summary.contains("record"))
    }

    /// A refusal sticks (issue 14, item 1): a recorded denial wins over "needs no consent", for every permission.
    @Test(arguments: [Permission.audio, .gpu, .filesystemReadOnly])
    func aRecordedDenialWinsOverEveryDefault(_ permission: Permission) throws {
        var record = GrantRecord(app: try #require(AppID("org.tauos.test")))
        record.deny(permission)
        let (outcome, asked) = try Self.resolve(try Self.manifest("[\"\(permission.rawValue)\"]"), record: record, answers: [:])
        #expect(outcome.effective.denied.contains(permission))
        #expect(!outcome.effective.granted.contains(permission))
        #expect(asked.isEmpty)
    }

    /// `taurun reset`: a decision goes back to "ask", and the next convert asks again.
    @Test func aResetDecisionIsAskedAgain() throws {
        let manifest = try Self.manifest(#"["camera"]"#)
        var record = GrantRecord(app: manifest.id, requested: [.camera])
        record.deny(.camera)
        let before = record
        record.forget(.camera)
        #expect(record.decision(for: .camera) == nil)
        #expect(ConsentChange.between(before, record, via: "reset") == [ConsentChange(permission: .camera, old: false, new: nil, via: "reset")])
        let (outcome, asked) = try Self.resolve(manifest, record: record, answers: [.camera: true])
        #expect(asked == [.camera] && outcome.effective.granted == [.camera])
    }

    /// A convert records what the manifest requests (grant refuses anything else), so the file is rewritten when
    /// the request changes, not otherwise.
    @Test func theRecordKeepsWhatTheManifestRequests() throws {
        let manifest = try Self.manifest(#"["gpu", "camera"]"#)
        let (first, _) = try Self.resolve(manifest, answers: [.camera: true])
        #expect(first.record.requested == [.gpu, .camera] && first.changed)
        let (again, _) = try Self.resolve(manifest, record: first.record)
        #expect(!again.changed)
    }

    /// What the audit log gets: each decision made anew, with how it was made; a decision that stays is no change.
    @Test func theOutcomeListsEachNewDecisionAndHowItWasMade() throws {
        var record = GrantRecord(app: try #require(AppID("org.tauos.test")))
        record.deny(.camera)
        record.grant(.microphone)
        let manifest = try Self.manifest(#"["network", "camera", "microphone", "display"]"#)
        let (outcome, _) = try Self.resolve(manifest, record: record, flags: [.network], yes: true)
        #expect(outcome.changes == [
            ConsentChange(permission: .network, old: nil, new: true, via: "--grant"),
            ConsentChange(permission: .display, old: nil, new: true, via: "--yes"),
        ])
        var after = record
        after.grant(.camera)
        #expect(ConsentChange.between(record, after, via: "grant") == [ConsentChange(permission: .camera, old: false, new: true, via: "grant")])
    }

    /// `--yes` grants only what has no decision (issue 14, item 2); `--grant` is the explicit way to change one.
    @Test func yesNeverErasesARefusalButGrantDoes() throws {
        var record = GrantRecord(app: try #require(AppID("org.tauos.test")))
        record.deny(.camera)
        let manifest = try Self.manifest(#"["camera", "network"]"#)
        let (withYes, _) = try Self.resolve(manifest, record: record, yes: true)
        #expect(withYes.effective.denied == [.camera] && withYes.effective.granted == [.network])
        #expect(withYes.record.decision(for: .camera) == false)
        let (withGrant, _) = try Self.resolve(manifest, record: record, flags: [.camera], yes: true)
        #expect(withGrant.effective.granted == [.camera, .network])
    }

    @Test func manifestNamedPathsMakeReadOnlySensitive() throws {
        #expect(throws: SandboxError.grantsMissing(app: "org.tauos.test", permissions: [.filesystemReadOnly])) {
            _ = try Self.resolve(try Self.manifest(#"["filesystem:ro:/srv/x"]"#))
        }
    }

    @Test func promptAnswersAreAppliedAndRecorded() throws {
        let manifest = try Self.manifest(#"["network", "camera", "microphone"]"#)
        let (outcome, asked) = try Self.resolve(manifest, answers: [.network: true, .camera: false, .microphone: true])
        #expect(asked == [.network, .camera, .microphone])
        #expect(outcome.effective.granted == [.network, .microphone])
        #expect(outcome.effective.denied == [.camera])
        #expect(outcome.record.decision(for: .camera) == false)
        #expect(outcome.record.decision(for: .network) == true)
        #expect(outcome.changed)
    }

    @Test func recordedDecisionsAreNotAskedAgain() throws {
        let manifest = try Self.manifest(#"["network", "camera"]"#)
        // As after a first convert, which also records what the manifest requests and its version.
        var record = GrantRecord(app: manifest.id, requested: [.network, .camera], version: manifest.version)
        record.grant(.network)
        record.deny(.camera)
        let (outcome, asked) = try Self.resolve(manifest, record: record, answers: [.network: false, .camera: true])
        #expect(asked.isEmpty)
        #expect(outcome.effective.granted == [.network])
        #expect(outcome.effective.denied == [.camera])
        #expect(!outcome.changed)
    }

    @Test func yesFillsInTheUndecidedAndGrantFlagsOverrideAndRecord() throws {
        let manifest = try Self.manifest(#"["network", "camera"]"#)
        var record = GrantRecord(app: manifest.id)
        record.deny(.camera)
        let (all, _) = try Self.resolve(manifest, record: record, yes: true)
        #expect(all.effective.granted == [.network])
        #expect(all.record.decision(for: .network) == true && all.record.decision(for: .camera) == false)
        let (explicit, _) = try Self.resolve(manifest, record: record, flags: [.camera], yes: true)
        #expect(explicit.effective.granted == [.network, .camera])
        #expect(explicit.record.decision(for: .camera) == true)
        #expect(throws: SandboxError.grantsMissing(app: "org.tauos.test", permissions: [.network])) {
            _ = try Self.resolve(manifest, flags: [.camera])
        }
    }

    @Test func refusedReadWriteFallsBackToReadOnly() throws {
        let manifest = try Self.manifest(#"["filesystem:rw"]"#)
        let (outcome, _) = try Self.resolve(manifest, answers: [.filesystemReadWrite: false])
        #expect(outcome.effective.filesystem == .readOnly)
        #expect(outcome.effective.denied == [.filesystemReadWrite])
    }

    @Test func grantAndDenyImplications() throws {
        let app = try #require(AppID("org.tauos.test"))
        var record = GrantRecord(app: app)
        record.grant(.filesystemReadWrite)
        #expect(record.granted == [.filesystemReadWrite, .filesystemReadOnly])
        record.deny(.filesystemReadOnly)
        #expect(record.denied == [.filesystemReadWrite, .filesystemReadOnly])
        #expect(record.granted.isEmpty)
    }

    @Test func storeRoundTripsAndLists() throws {
        let directory = TestSupport.temporaryDirectory("grants")
        defer { TestSupport.remove(directory) }
        let store = GrantStore(stateDirectory: directory + "/state")
        let app = try #require(AppID("org.tauos.one"))
        #expect(try store.record(for: app) == GrantRecord(app: app))
        _ = try store.update(app) { $0.grant(.network); $0.deny(.camera) }
        let other = try #require(AppID("org.tauos.two"))
        _ = try store.update(other) { $0.grant(.gpu) }
        let loaded = try store.record(for: app)
        #expect(loaded.granted == [.network])
        #expect(loaded.denied == [.camera])
        #expect(try store.allRecords().map(\.app.rawValue).sorted() == ["org.tauos.one", "org.tauos.two"])
        let text = try #require(TestSupport.read(directory + "/state/grants/org.tauos.one.json"))
        #expect(text.contains("\"network\""))
    }

    /// An upgrade (issue 14, item 13) is a convert of a manifest with a new version: only the permission it newly
    /// requests is asked for, and the record gets the new version (`taurun apps` shows it).
    @Test func anUpgradeAsksOnlyForTheNewPermissionAndRecordsTheVersion() throws {
        let old = try ManifestLoader.parse(
            bytes: Array(#"{"id": "org.tauos.test", "version": "1.0", "command": ["/bin/sh"], "permissions": ["network"]}"#.utf8),
            format: .manifestTau, path: "manifest.tau")
        let (installed, _) = try Self.resolve(old, answers: [.network: true])
        #expect(installed.record.version == "1.0")
        let new = try ManifestLoader.parse(
            bytes: Array(#"{"id": "org.tauos.test", "version": "2.0", "command": ["/bin/sh"], "permissions": ["network", "camera"]}"#.utf8),
            format: .manifestTau, path: "manifest.tau")
        let (upgraded, asked) = try Self.resolve(new, record: installed.record, answers: [.network: false, .camera: true])
        #expect(asked == [.camera])
        #expect(upgraded.effective.granted == [.network, .camera])
        #expect(upgraded.record.version == "2.0" && upgraded.changed)
        // Without a terminal the error names only the new permission.
        #expect(throws: SandboxError.grantsMissing(app: "org.tauos.test", permissions: [.camera])) {
            _ = try Self.resolve(new, record: installed.record)
        }
    }

    @Test func theVersionRoundTripsThroughTheGrantsFile() throws {
        let directory = TestSupport.temporaryDirectory("grants-version")
        defer { TestSupport.remove(directory) }
        let store = GrantStore(stateDirectory: directory)
        let app = try #require(AppID("org.tauos.one"))
        _ = try store.update(app) { $0.version = "1.2.3-beta" }
        #expect(try store.record(for: app).version == "1.2.3-beta")
        #expect(try #require(TestSupport.read(directory + "/grants/org.tauos.one.json")).contains("\"version\": \"1.2.3-beta\""))
        // A file written before the version was recorded has none.
        TestSupport.remove(directory + "/grants/org.tauos.one.json")
        TestSupport.write(directory + "/grants/org.tauos.one.json", #"{"app": "org.tauos.one", "granted": [], "denied": []}"#)
        #expect(try store.record(for: app).version == nil)
    }

    @Test func corruptGrantFileIsAnError() throws {
        let directory = TestSupport.temporaryDirectory("grants-corrupt")
        defer { TestSupport.remove(directory) }
        let app = try #require(AppID("org.tauos.one"))
        try FileSystem.makeDirectories(directory + "/grants")
        TestSupport.write(directory + "/grants/org.tauos.one.json", #"{"app": "org.tauos.one", "granted": ["root"], "denied": []}"#)
        #expect(throws: SandboxError.self) { try GrantStore(stateDirectory: directory).record(for: app) }
    }
}

@Suite(.serialized) struct IDAllocatorTests {
    @Test func rangesAreAllocatedOnceAndNeverShared() throws {
        let directory = TestSupport.temporaryDirectory("ids")
        defer { TestSupport.remove(directory) }
        let allocator = IDAllocator(stateDirectory: directory, subordinateFiles: [])
        let a = try #require(AppID("org.a.one")), b = try #require(AppID("org.a.two"))
        #expect(try allocator.peek(a) == 200_000)
        #expect(try allocator.allocate(a) == 200_000)
        #expect(try allocator.allocate(b) == 265_536)
        #expect(try allocator.allocate(a) == 200_000)
        #expect(try allocator.existing(b) == 265_536)
    }

    /// `taurun uninstall`: the range goes, and its slot is never handed out again; with --keep-data it is kept for
    /// the home's files, and a reinstall takes it back.
    @Test func aReleasedRangeIsNeverReusedAndAKeptOneComesBack() throws {
        let directory = TestSupport.temporaryDirectory("ids-release")
        defer { TestSupport.remove(directory) }
        let allocator = IDAllocator(stateDirectory: directory, subordinateFiles: [])
        let a = try #require(AppID("org.a.one")), b = try #require(AppID("org.a.two")), c = try #require(AppID("org.a.three"))
        #expect(try allocator.allocate(a) == 200_000)
        #expect(try allocator.allocate(b) == 265_536)
        try allocator.release(a, keep: false)
        #expect(try allocator.existing(a) == nil && allocator.kept(a) == nil)
        #expect(try allocator.knownApps() == [b])
        #expect(try allocator.allocate(c) == 331_072)
        #expect(try allocator.allocate(a) == 396_608)
        try allocator.release(b, keep: true)
        #expect(try allocator.knownApps() == [a, c])
        #expect(try allocator.kept(b) == 265_536 && allocator.peek(b) == 265_536)
        #expect(try allocator.allocate(try #require(AppID("org.a.four"))) == 462_144)
        #expect(try allocator.allocate(b) == 265_536)
        #expect(try allocator.kept(b) == nil)
        #expect(!(try #require(TestSupport.read(directory + "/ids.json"))).contains("kept"))
    }

    @Test func subordinateRangesAreSkipped() throws {
        let directory = TestSupport.temporaryDirectory("ids-sub")
        defer { TestSupport.remove(directory) }
        TestSupport.write(directory + "/subuid", "alice:200000:65536\nbob:270000:10\n")
        let allocator = IDAllocator(stateDirectory: directory + "/state", subordinateFiles: [directory + "/subuid"])
        let a = try #require(AppID("org.a.one"))
        // 200000 (alice) and 265536 (overlaps bob's 270000) are taken: the third slot is first free.
        #expect(try allocator.allocate(a) == 331_072)
    }
}

/// Issue 14, item 7: every real user's home is dangerous, whoever runs convert (root under sudo has HOME=/root).
@Suite struct PolicyHomesTests {
    let passwd = """
        root:x:0:0:root:/root:/bin/bash
        nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
        alice:x:1000:1000:Alice:/home/alice:/bin/bash
        bob:x:1001:1001:Bob:/srv/users/bob:/bin/sh
        """

    @Test func everyUsersHomeFromPasswdIsRefusedButItsSubdirectoriesAreNot() throws {
        let policy = PolicyValidator(stateDirectory: "/var/lib/taurun-test", userHome: "/root", passwd: passwd)
        for home in ["/home/alice", "/srv/users/bob", "/srv/users", "/var", "/tmp"] {
            #expect(throws: SandboxError.self, "\(home)") { try policy.checkMountable(home, origin: "test") }
        }
        try policy.checkMountable("/home/alice/Music", origin: "test")
    }
}

/// Issue 14, item 12: default limits, lowered by a manifest, never raised above the ceiling.
@Suite struct ResourcePolicyTests {
    let app = AppID("org.tauos.test")!

    @Test func aManifestWithoutResourcesGetsTheDefaults() throws {
        let limits = try ResourcePolicy.builtIn.apply(to: ResourceLimits(), app: app)
        #expect(limits == ResourceLimits(memoryBytes: 1 << 30, cpuMillicores: 2000, pids: 1024, diskBytes: nil))
    }

    @Test func aManifestMayLowerALimitButNotRaiseItAboveTheCeiling() throws {
        let lowered = try ResourcePolicy.builtIn.apply(to: ResourceLimits(memoryBytes: 64 << 20, pids: 16), app: app)
        #expect(lowered.memoryBytes == 64 << 20 && lowered.pids == 16 && lowered.cpuMillicores == 2000)
        #expect(throws: SandboxError.policyDenied(reason: "org.tauos.test: resources.memory 32G is above this host's ceiling of 16G")) {
            _ = try ResourcePolicy.builtIn.apply(to: ResourceLimits(memoryBytes: 32 << 30), app: app)
        }
        #expect(throws: SandboxError.self) { _ = try ResourcePolicy.builtIn.apply(to: ResourceLimits(pids: 100_000), app: app) }
    }

    @Test func theStateDirectorysLimitsFileSetsBoth() throws {
        let directory = TestSupport.temporaryDirectory("limits")
        defer { TestSupport.remove(directory) }
        TestSupport.write(directory + "/limits.json", #"{"defaults": {"memory": "256M", "pids": 64}, "ceilings": {"memory": "512M", "cpu": 1}}"#)
        let policy = try ResourcePolicy.load(stateDirectory: directory)
        #expect(policy.defaults.memoryBytes == 256 << 20 && policy.defaults.pids == 64 && policy.defaults.cpuMillicores == 2000)
        #expect(policy.ceilings.memoryBytes == 512 << 20 && policy.ceilings.cpuMillicores == 1000)
        #expect(throws: SandboxError.self) { _ = try policy.apply(to: ResourceLimits(cpuMillicores: 1500), app: app) }
        TestSupport.remove(directory + "/limits.json")
        TestSupport.write(directory + "/limits.json", #"{"defaults": {"memroy": "1G"}}"#)
        #expect(throws: SandboxError.self) { _ = try ResourcePolicy.load(stateDirectory: directory) }
    }
}
