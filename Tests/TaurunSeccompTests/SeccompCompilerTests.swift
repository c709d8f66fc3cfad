// SeccompCompiler: OCI linux.seccomp -> BPF bytes and seccomp(2) flags, and its errors with JSON paths.

import TaurunOCI
import TaurunSupport
import Testing

@testable import TaurunSeccomp

@Suite struct SeccompCompilerTests {
    let exdev: UInt32 = 18

    func rule(_ names: [String], _ action: LinuxSeccompAction, errnoRet: UInt32? = nil, args: [LinuxSeccompArg]? = nil) -> LinuxSyscall {
        LinuxSyscall(names: names, action: action, errnoRet: errnoRet, args: args)
    }

    @Test func errnoRuleCompilesToWholeInstructionsReturningTheErrno() throws {
        let program = try SeccompCompiler.compile(
            LinuxSeccomp(defaultAction: .allow, syscalls: [rule(["mkdir", "mkdirat"], .errno, errnoRet: exdev)]))
        #expect(program.instructions.count > 0)
        #expect(program.instructions.count % 8 == 0)
        #expect(program.loadFlags == 0)
        #expect(!program.usesNotify)
        let instructions = BPFInstruction.decode(program)
        // libseccomp starts every filter by loading seccomp_data.arch (offset 4).
        #expect(instructions.first == BPFInstruction(code: 0x20, jt: 0, jf: 0, k: 4))
        #expect(instructions.contains { $0.isReturn && $0.k == 0x0005_0000 | exdev })
        #expect(instructions.contains { $0.isReturn && $0.k == 0x7fff_0000 })
    }

    @Test func errnoWithoutErrnoRetReturnsEPERM() throws {
        let program = try SeccompCompiler.compile(LinuxSeccomp(defaultAction: .allow, syscalls: [rule(["mkdir"], .errno)]))
        #expect(BPFInstruction.decode(program).contains { $0.isReturn && $0.k == 0x0005_0001 })
    }

    @Test func defaultErrnoRetIsTheDefaultReturn() throws {
        let program = try SeccompCompiler.compile(
            LinuxSeccomp(defaultAction: .errno, defaultErrnoRet: 38, syscalls: [rule(["read", "write", "exit_group"], .allow)]))
        #expect(BPFInstruction.decode(program).contains { $0.isReturn && $0.k == 0x0005_0026 })
    }

    @Test(arguments: [
        (LinuxSeccompAction.kill, UInt32(0)), (.killThread, 0), (.killProcess, 0x8000_0000), (.trap, 0x0003_0000),
        (.errno, 0x0005_0001), (.trace, 0x7ff0_0001), (.log, 0x7ffc_0000), (.notify, 0x7fc0_0000),
    ])
    func everyActionReachesTheFilter(action: LinuxSeccompAction, expectedReturn: UInt32) throws {
        let program = try SeccompCompiler.compile(LinuxSeccomp(defaultAction: .allow, syscalls: [rule(["getppid"], action)]))
        #expect(BPFInstruction.decode(program).contains { $0.isReturn && $0.k == expectedReturn })
    }

    @Test(arguments: LinuxSeccompOperator.allCases)
    func everyOperatorCompilesAndAddsAComparison(op: LinuxSeccompOperator) throws {
        let plain = try SeccompCompiler.compile(LinuxSeccomp(defaultAction: .allow, syscalls: [rule(["kill"], .errno)]))
        let filtered = try SeccompCompiler.compile(
            LinuxSeccomp(defaultAction: .allow, syscalls: [rule(["kill"], .errno, args: [LinuxSeccompArg(index: 1, value: 9, valueTwo: 9, op: op)])]))
        #expect(filtered.instructionCount > plain.instructionCount)
        // The compared constant appears as a jump's k (MASKED_EQ also carries the mask as an AND's k).
        #expect(BPFInstruction.decode(filtered).contains { $0.k == 9 })
    }

    @Test func maskedEqualUsesValueAsMaskAndValueTwoAsResult() throws {
        let program = try SeccompCompiler.compile(
            LinuxSeccomp(defaultAction: .allow, syscalls: [
                rule(["clone"], .errno, args: [LinuxSeccompArg(index: 0, value: 0x7E02_0000, valueTwo: 0x0002_0000, op: .maskedEqual)])
            ]))
        let instructions = BPFInstruction.decode(program)
        #expect(instructions.contains { $0.code == 0x54 && $0.k == 0x7E02_0000 })  // BPF_ALU|BPF_AND|BPF_K mask
        #expect(instructions.contains { $0.code == 0x15 && $0.k == 0x0002_0000 })  // BPF_JMP|BPF_JEQ|BPF_K value
    }

    @Test func notifyRuleAsksForAListener() throws {
        let program = try SeccompCompiler.compile(LinuxSeccomp(defaultAction: .allow, syscalls: [rule(["mkdir"], .notify)]))
        #expect(program.usesNotify)
        #expect(program.loadFlags == 1 << 3)
    }

    @Test func tsyncWithNotifyAddsTsyncEsrch() throws {
        let program = try SeccompCompiler.compile(
            LinuxSeccomp(defaultAction: .allow, flags: [.tsync], syscalls: [rule(["mkdir"], .notify)]))
        #expect(program.loadFlags == 1 | 1 << 3 | 1 << 4)
    }

    @Test func flagsMapToKernelBits() throws {
        let program = try SeccompCompiler.compile(LinuxSeccomp(defaultAction: .allow, flags: [.tsync, .log, .specAllow]))
        #expect(program.loadFlags == 1 | 2 | 4)
    }

    @Test func waitKillableRecvIsKeptOnlyWithAListener() throws {
        let without = try SeccompCompiler.compile(LinuxSeccomp(defaultAction: .allow, flags: [.waitKillableRecv, .log]))
        #expect(without.loadFlags == 2)
        let with = try SeccompCompiler.compile(
            LinuxSeccomp(defaultAction: .allow, flags: [.waitKillableRecv], syscalls: [rule(["mkdir"], .notify)]))
        #expect(with.loadFlags == 1 << 5 | 1 << 3)
    }

    @Test func unknownSyscallNamesAreSkippedAndReported() throws {
        let empty = try SeccompCompiler.compile(LinuxSeccomp(defaultAction: .allow))
        let unknownOnly = try SeccompCompiler.compile(
            LinuxSeccomp(defaultAction: .allow, syscalls: [rule(["no_such_syscall", "another_fake"], .errno)]))
        #expect(unknownOnly.instructions == empty.instructions)
        #expect(unknownOnly.skippedSyscalls == ["no_such_syscall", "another_fake"])
        let mixed = try SeccompCompiler.compile(
            LinuxSeccomp(defaultAction: .allow, syscalls: [rule(["no_such_syscall", "mkdir"], .errno)]))
        #expect(mixed.instructionCount > empty.instructionCount)
        #expect(mixed.skippedSyscalls == ["no_such_syscall"])
    }

    @Test func ruleWithTheDefaultActionIsSkipped() throws {
        let empty = try SeccompCompiler.compile(LinuxSeccomp(defaultAction: .errno, defaultErrnoRet: 1))
        let redundant = try SeccompCompiler.compile(
            LinuxSeccomp(defaultAction: .errno, defaultErrnoRet: 1, syscalls: [rule(["mkdir"], .errno, errnoRet: 1)]))
        // The rule adds nothing to libseccomp's program; it only names mkdir, which raises the ENOSYS prologue's
        // bound (SeccompENOSYSStub), so the rest of the program is byte for byte the empty profile's.
        #expect(Array(redundant.instructions.suffix(empty.instructions.count)) == empty.instructions)
        // A different errno is a different action and is kept.
        let different = try SeccompCompiler.compile(
            LinuxSeccomp(defaultAction: .errno, defaultErrnoRet: 1, syscalls: [rule(["mkdir"], .errno, errnoRet: 2)]))
        #expect(different.instructions != empty.instructions)
    }

    @Test func twoConditionsOnOneArgumentBecomeAlternatives() throws {
        let program = try SeccompCompiler.compile(
            LinuxSeccomp(defaultAction: .allow, syscalls: [
                rule(["personality"], .errno, args: [
                    LinuxSeccompArg(index: 0, value: 0x11, op: .equalTo), LinuxSeccompArg(index: 0, value: 0x22, op: .equalTo),
                ])
            ]))
        let instructions = BPFInstruction.decode(program)
        #expect(instructions.contains { $0.k == 0x11 })
        #expect(instructions.contains { $0.k == 0x22 })
    }

    @Test func extraArchitecturesGrowTheFilter() throws {
        let native = try SeccompCompiler.compile(LinuxSeccomp(defaultAction: .allow, syscalls: [rule(["mkdir"], .errno)]))
        let multi = try SeccompCompiler.compile(
            LinuxSeccomp(defaultAction: .allow, architectures: [.x86_64, .x86, .x32], syscalls: [rule(["mkdir"], .errno)]))
        #expect(multi.instructionCount > native.instructionCount)
        let archChecks = Set(BPFInstruction.decode(multi).filter { $0.code == 0x15 }.map(\.k))
        #expect(archChecks.contains(0xC000_003E))  // AUDIT_ARCH_X86_64
        #expect(archChecks.contains(0x4000_0003))  // AUDIT_ARCH_I386
    }

    @Test func compilesAConfigJSONSection() throws {
        let json = """
            {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "architectures": ["SCMP_ARCH_X86_64"],
             "flags": ["SECCOMP_FILTER_FLAG_LOG"],
             "syscalls": [{"names": ["read", "write", "exit_group"], "action": "SCMP_ACT_ALLOW"},
                          {"names": ["kill"], "action": "SCMP_ACT_ALLOW",
                           "args": [{"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]}]}
            """
        let seccomp = try LinuxSeccomp(json: JSONParser.parse(Array(json.utf8)))
        let program = try SeccompCompiler.compile(seccomp)
        #expect(program.loadFlags == 2)
        #expect(program.instructionCount > 5)
    }

    // MARK: errors name the JSON path

    func error(_ seccomp: LinuxSeccomp) -> SeccompError? {
        do {
            _ = try SeccompCompiler.compile(seccomp)
            return nil
        } catch {
            return error
        }
    }

    @Test func argumentIndexOutOfRangeNamesTheArgument() {
        let failure = error(LinuxSeccomp(defaultAction: .allow, syscalls: [
            rule(["mkdir"], .errno),
            rule(["kill"], .errno, args: [LinuxSeccompArg(index: 1, value: 0, op: .equalTo), LinuxSeccompArg(index: 6, value: 0, op: .equalTo)]),
        ]))
        #expect(failure?.path == "linux.seccomp.syscalls[1].args[1].index")
        #expect(failure?.description.contains("out of range") == true)
    }

    @Test func errnoRetOnANonErrnoActionIsRejected() {
        let failure = error(LinuxSeccomp(defaultAction: .errno, syscalls: [rule(["read"], .allow, errnoRet: 5)]))
        #expect(failure?.path == "linux.seccomp.syscalls[0].errnoRet")
    }

    @Test func errnoRetTooLargeIsRejected() {
        let failure = error(LinuxSeccomp(defaultAction: .allow, syscalls: [rule(["mkdir"], .errno, errnoRet: 70000)]))
        #expect(failure?.path == "linux.seccomp.syscalls[0].errnoRet")
    }

    @Test func defaultErrnoRetNeedsAnErrnoDefault() {
        let failure = error(LinuxSeccomp(defaultAction: .allow, defaultErrnoRet: 1))
        #expect(failure?.path == "linux.seccomp.defaultErrnoRet")
    }

    @Test func notifyCannotBeTheDefault() {
        #expect(error(LinuxSeccomp(defaultAction: .notify))?.path == "linux.seccomp.defaultAction")
    }

    @Test func aMonitoredFilterMayNotifyByDefaultAndAsksForAListener() throws {
        let program = try SeccompCompiler.compile(
            LinuxSeccomp(defaultAction: .notify, syscalls: [rule(["read", "write"], .allow)]), monitoredDefault: true)
        #expect(program.usesNotify)
        #expect(program.loadFlags & 8 != 0)  // SECCOMP_FILTER_FLAG_NEW_LISTENER
    }

    @Test func ruleWithoutNamesIsRejected() {
        #expect(error(LinuxSeccomp(defaultAction: .allow, syscalls: [rule([], .errno)]))?.path == "linux.seccomp.syscalls[0].names")
    }

    @Test func errorDescriptionCarriesTheLibseccompCall() {
        let failure = SeccompError(path: "linux.seccomp.syscalls[2].names[0]", message: "libseccomp rejected the rule for kill",
                                   call: "seccomp_rule_add_array", errno: 22)
        #expect(failure.description == "linux.seccomp.syscalls[2].names[0]: libseccomp rejected the rule for kill (seccomp_rule_add_array: Invalid argument)")
    }

    // MARK: ENOSYS for syscalls newer than the profile

    @Test func refusingDefaultGetsAnENOSYSPrologueBoundedByTheNewestNamedSyscall() throws {
        let program = try SeccompCompiler.compile(
            LinuxSeccomp(defaultAction: .errno, syscalls: [rule(["read", "mkdir", "no_such_syscall"], .allow)]))
        let instructions = BPFInstruction.decode(program)
        let bound = try #require(instructions.first { $0.code == 0x25 })  // BPF_JMP|BPF_JGT|BPF_K
        #expect(bound.k == 83)  // mkdir on x86_64, the largest of read (0) and mkdir (83)
        let enosys = try #require(instructions.firstIndex { $0.isReturn && $0.k == 0x0005_0026 })
        #expect(enosys < 8)  // in the prologue, before libseccomp's program
        #expect(instructions[enosys + 1] == BPFInstruction(code: 0x20, jt: 0, jf: 0, k: 4))  // libseccomp's first load
    }

    @Test(arguments: [LinuxSeccompAction.allow, .log, .trace])
    func permissiveDefaultHasNoPrologue(action: LinuxSeccompAction) throws {
        let program = try SeccompCompiler.compile(LinuxSeccomp(defaultAction: action, syscalls: [rule(["mkdir"], .killProcess)]))
        #expect(!BPFInstruction.decode(program).contains { $0.isReturn && $0.k == 0x0005_0026 })
    }

    @Test func profileNamingNoKnownSyscallHasNoPrologue() throws {
        let program = try SeccompCompiler.compile(LinuxSeccomp(defaultAction: .errno, syscalls: [rule(["no_such_syscall"], .allow)]))
        #expect(!BPFInstruction.decode(program).contains { $0.isReturn && $0.k == 0x0005_0026 })
    }
}
