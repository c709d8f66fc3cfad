import Testing
import TaurunOCI
@testable import TaurunRuntime

@Suite struct TauAppPolicyTests {
    let appAnnotations = [
        "org.tauos.app.id": "org.tauos.media", "org.tauos.app.on_violation": "deny",
        "org.tauos.app.permissions": "camera,filesystem:ro", "org.tauos.app.sandbox": "taurun",
    ]

    @Test func plainBundlesAndUnsandboxedAppsHaveNoPolicy() throws {
        #expect(try TauAppPolicy.from(annotations: nil) == nil)
        #expect(try TauAppPolicy.from(annotations: ["org.example": "x"]) == nil)
        var unsandboxed = appAnnotations
        unsandboxed["org.tauos.app.sandbox"] = "none"
        #expect(try TauAppPolicy.from(annotations: unsandboxed) == nil)
    }

    @Test func askNamesWhatMayBeAskedForAndWhereTheGrantsAre() throws {
        var ask = appAnnotations
        ask["org.tauos.app.on_violation"] = "ask"
        ask["org.tauos.app.permissions.denied"] = "network,microphone"
        #expect(throws: RuntimeError.self) { try TauAppPolicy.from(annotations: ask) }
        ask["org.tauos.app.state_dir"] = "/var/lib/taurun"
        let policy = try #require(try TauAppPolicy.from(annotations: ask))
        #expect(policy.onViolation == .ask)
        #expect(policy.notGranted == ["network", "microphone"])
        #expect(policy.stateDirectory == "/var/lib/taurun")
    }

    @Test func readsTheAppsDecisions() throws {
        let policy = try #require(try TauAppPolicy.from(annotations: appAnnotations))
        #expect(policy.appID == "org.tauos.media")
        #expect(policy.onViolation == .deny)
        #expect(policy.granted == ["camera", "filesystem:ro"])
        #expect(!policy.requiresLSM)
        var terminate = appAnnotations
        terminate.removeValue(forKey: "org.tauos.app.on_violation")
        terminate["org.tauos.app.require_lsm"] = "true"
        let defaulted = try #require(try TauAppPolicy.from(annotations: terminate))
        #expect(defaulted.onViolation == .terminate)
        #expect(defaulted.requiresLSM)
    }

    @Test(arguments: [("org.tauos.app.on_violation", "ignore"), ("org.tauos.app.require_lsm", "yes")])
    func anUnreadableDecisionIsAnErrorNamingTheAnnotation(_ key: String, _ value: String) {
        var bad = appAnnotations
        bad[key] = value
        #expect {
            _ = try TauAppPolicy.from(annotations: bad)
        } throws: { error in
            "\(error)".contains(key) && "\(error)".contains(value)
        }
    }

    @Test func denialsBecomeNotificationsAndFallbacksStay() {
        let bundle = LinuxSeccomp(
            defaultAction: .killProcess, architectures: [.x86_64], listenerPath: "/run/agent.sock",
            syscalls: [
                LinuxSyscall(names: ["read", "write"], action: .allow),
                LinuxSyscall(names: ["clone3"], action: .errno, errnoRet: 38),
                LinuxSyscall(names: ["socket"], action: .errno, errnoRet: 1,
                             args: [LinuxSeccompArg(index: 0, value: 1, op: .notEqual)]),
                LinuxSyscall(names: ["ptrace"], action: .trap),
                LinuxSyscall(names: ["mkdir"], action: .killProcess),
            ])
        let monitored = TauAppPolicy.monitored(bundle)
        #expect(monitored.defaultAction == .notify)
        #expect(monitored.listenerPath == nil)
        #expect(monitored.architectures == [.x86_64])
        let rules = monitored.syscalls ?? []
        #expect(rules.map(\.names) == [["read", "write"], ["clone3"]])
        #expect(rules[1].action == .errno && rules[1].errnoRet == 38)
    }

    @Test func anAllowByDefaultProfileKeepsItsDefaultAndNotifiesItsDenials() {
        let bundle = LinuxSeccomp(
            defaultAction: .allow, syscalls: [LinuxSyscall(names: ["unshare"], action: .errno)])
        let monitored = TauAppPolicy.monitored(bundle)
        #expect(monitored.defaultAction == .allow)
        #expect(monitored.syscalls?.first?.action == .notify)
        #expect(monitored.syscalls?.first?.errnoRet == nil)
    }
}

@Suite struct LSMRequirementTests {
    @Test func aProfileThisKernelCannotEnforceIsSkippedOrRefused() throws {
        guard !HostLSM.appArmorEnabled else { return }  // this host: no AppArmor LSM
        let process = Process(user: User(uid: 0, gid: 0), args: ["/bin/true"], cwd: "/", apparmorProfile: "taurun-org.tauos.hello")
        let skipped = try LSMRequirement.check(process: process, appProfile: nil, required: false)
        #expect(skipped == "AppArmor profile taurun-org.tauos.hello: AppArmor is not enabled in this kernel")
        #expect(throws: RuntimeError.self) { try LSMRequirement.check(process: process, appProfile: nil, required: true) }
        let fromAnnotation = try LSMRequirement.check(process: nil, appProfile: "taurun-x", required: false)
        #expect(fromAnnotation?.contains("taurun-x") == true)
        #expect(try LSMRequirement.check(process: Process(user: User(uid: 0, gid: 0), args: ["/bin/true"], cwd: "/"), appProfile: nil, required: true) == nil)
        let message = RuntimeError.sandboxUnavailable("AppArmor is not enabled in this kernel").description
        #expect(message == "E_SANDBOX_UNAVAILABLE: AppArmor is not enabled in this kernel")
    }
}
