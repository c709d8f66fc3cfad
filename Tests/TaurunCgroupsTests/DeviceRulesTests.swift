import Testing
import TaurunOCI
@testable import TaurunCgroups

@Suite struct DeviceRulesTests {
    /// What Podman and `runc spec` put in config.json: deny everything, then the runtime's defaults follow.
    let denyAll = [LinuxDeviceCgroup(allow: false, access: "rwm")]

    @Test func denyAllPlusDefaultsGivesAnAllowlist() throws {
        let rules = try DeviceRules.effectiveRules(config: denyAll)
        let state = DeviceRules.finalState(rules)
        #expect(state.defaultAllow == false)
        #expect(state.writes.first?.file == "devices.deny")
        #expect(state.writes.first?.value == "a")
        #expect(state.listLines.contains("c 1:3 rwm"))
        #expect(state.listLines.contains("c *:* m"))
        #expect(state.listLines.contains("c 136:* rwm"))
        #expect(state.writes.dropFirst().allSatisfy { $0.file == "devices.allow" })
    }

    @Test func linuxDevicesGetNoRuleOfTheirOwn() throws {
        // As runc and crun: a node in linux.devices stays denied when linux.resources.devices denies it.
        let state = DeviceRules.finalState(try DeviceRules.effectiveRules(config: denyAll))
        #expect(!state.listLines.contains("c 10:229 rwm"))
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
        #expect(try DeviceRules.effectiveRules(config: nil).isEmpty)
    }

    @Test(arguments: [
        LinuxDeviceCgroup(allow: true, type: "x"),
        LinuxDeviceCgroup(allow: true, type: "c", access: "rwx"),
        LinuxDeviceCgroup(allow: true, type: "c", access: ""),
        LinuxDeviceCgroup(allow: true, type: "c", major: -7),
    ])
    func malformedRulesAreRejected(_ rule: LinuxDeviceCgroup) {
        #expect(throws: CgroupError.self) { try DeviceRules.rules(from: [rule]) }
    }

    /// Podman's `--device-cgroup-rule='a 7:1 rmw'`: accepted as runc accepts it, as a char and a block rule for
    /// 7:1, never as the kernel's "a" (every device).
    @Test func typeAWithNumbersIsACharAndABlockRule() throws {
        let rules = try DeviceRules.rules(from: [LinuxDeviceCgroup(allow: true, type: "a", major: 7, minor: 1, access: "rwm")])
        #expect(rules.map(\.cgroupLine) == ["c 7:1 rwm", "b 7:1 rwm"])
        let wildcardMinor = try DeviceRules.rules(from: [LinuxDeviceCgroup(allow: true, type: "a", major: 7, access: "r")])
        #expect(wildcardMinor.map(\.cgroupLine) == ["c 7:* r", "b 7:* r"])
    }

    @Test func wildcardMinusOneIsStar() throws {
        let rule = try DeviceRules.rules(from: [LinuxDeviceCgroup(allow: true, type: "b", major: -1, minor: -1, access: "m")])
        #expect(rule.first?.cgroupLine == "b *:* m")
    }
}

@Suite struct DeviceProgramTests {
    func program(_ config: [LinuxDeviceCgroup], defaults: Bool = true) throws -> [DeviceProgram.Instruction] {
        let rules = defaults ? try DeviceRules.effectiveRules(config: config) : try DeviceRules.rules(from: config)
        return DeviceProgram.instructions(for: DeviceRules.finalState(rules))
    }

    @Test func defaultAllowlistProgramAllowsOnlyTheListedDevices() throws {
        let insns = try program([LinuxDeviceCgroup(allow: false, access: "rwm")])
        func verdict(_ type: Character, _ major: UInt32, _ minor: UInt32, _ access: String) -> Int64? {
            DeviceProgram.evaluate(insns, type: type, major: major, minor: minor, access: access)
        }
        #expect(verdict("c", 1, 3, "rw") == 1)     // /dev/null
        #expect(verdict("c", 136, 7, "rw") == 1)   // a pty
        #expect(verdict("c", 1, 11, "r") == 0)     // /dev/kmsg
        #expect(verdict("b", 8, 0, "r") == 0)      // a disk
        #expect(verdict("b", 8, 0, "m") == 1)      // mknod is allowed for every device
        #expect(verdict("c", 1, 11, "rm") == 0)    // ... but not together with read
    }

    @Test func denyExceptionsInAllowAllModeMatchAnyRequestedAccess() throws {
        let insns = try program([LinuxDeviceCgroup(allow: true, access: "rwm"),
                                 LinuxDeviceCgroup(allow: false, type: "b", major: 8, minor: nil, access: "w")], defaults: false)
        #expect(DeviceProgram.evaluate(insns, type: "b", major: 8, minor: 1, access: "r") == 1)
        #expect(DeviceProgram.evaluate(insns, type: "b", major: 8, minor: 1, access: "rw") == 0)
        #expect(DeviceProgram.evaluate(insns, type: "c", major: 8, minor: 1, access: "w") == 1)
    }

    @Test func instructionsEncodeAsKernelBpfInsn() {
        let insn = DeviceProgram.Instruction(code: 0x61, dst: 2, src: 1, offset: 4, immediate: -1)
        #expect(insn.bytes == [0x61, 0x12, 4, 0, 0xff, 0xff, 0xff, 0xff])
    }
}
