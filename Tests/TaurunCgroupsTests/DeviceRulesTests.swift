import Testing
import TaurunOCI
@testable import TaurunCgroups

@Suite struct DeviceRulesTests {
    /// What Podman and `runc spec` put in config.json: deny everything, then the runtime's defaults follow.
    let denyAll = [LinuxDeviceCgroup(allow: false, access: "rwm")]

    @Test func denyAllPlusDefaultsGivesAnAllowlist() throws {
        let rules = try DeviceRules.effectiveRules(config: denyAll, linuxDevices: [])
        let state = DeviceRules.finalState(rules)
        #expect(state.defaultAllow == false)
        #expect(state.writes.first?.file == "devices.deny")
        #expect(state.writes.first?.value == "a")
        #expect(state.listLines.contains("c 1:3 rwm"))
        #expect(state.listLines.contains("c *:* m"))
        #expect(state.listLines.contains("c 136:* rwm"))
        #expect(state.writes.dropFirst().allSatisfy { $0.file == "devices.allow" })
    }

    @Test func linuxDevicesGetReadWriteMknod() throws {
        let fuse = LinuxDevice(type: "c", path: "/dev/fuse", major: 10, minor: 229)
        let state = DeviceRules.finalState(try DeviceRules.effectiveRules(config: denyAll, linuxDevices: [fuse]))
        #expect(state.listLines.contains("c 10:229 rwm"))
    }

    @Test func laterDenyNarrowsAnEarlierAllowLikeTheKernel() throws {
        let rules = try DeviceRules.rules(from: [
            LinuxDeviceCgroup(allow: false, access: "rwm"),
            LinuxDeviceCgroup(allow: true, type: "c", major: 1, minor: 3, access: "rwm"),
            LinuxDeviceCgroup(allow: false, type: "c", major: 1, minor: 3, access: "w"),
        ])
        #expect(DeviceRules.finalState(rules).listLines == ["c 1:3 rm"])
    }

    @Test func allowAllResetDropsExceptions() throws {
        let rules = try DeviceRules.rules(from: [
            LinuxDeviceCgroup(allow: false, type: "b", major: 8, minor: 0, access: "rw"),
            LinuxDeviceCgroup(allow: true, access: "rwm"),
        ])
        let state = DeviceRules.finalState(rules)
        #expect(state.defaultAllow)
        #expect(state.exceptions.isEmpty)
        #expect(state.listLines == ["a *:* rwm"])
    }

    @Test func noRulesMeansNoDeviceWrites() throws {
        #expect(try DeviceRules.effectiveRules(config: nil, linuxDevices: []).isEmpty)
    }

    @Test(arguments: [
        LinuxDeviceCgroup(allow: true, type: "x"),
        LinuxDeviceCgroup(allow: true, type: "c", access: "rwx"),
        LinuxDeviceCgroup(allow: true, type: "c", access: ""),
        LinuxDeviceCgroup(allow: true, type: "a", major: 1, minor: 3),
        LinuxDeviceCgroup(allow: true, type: "c", major: -7),
    ])
    func malformedRulesAreRejected(_ rule: LinuxDeviceCgroup) {
        #expect(throws: CgroupError.self) { try DeviceRules.rules(from: [rule]) }
    }

    @Test func wildcardMinusOneIsStar() throws {
        let rule = try DeviceRules.rules(from: [LinuxDeviceCgroup(allow: true, type: "b", major: -1, minor: -1, access: "m")])
        #expect(rule.first?.cgroupLine == "b *:* m")
    }
}
