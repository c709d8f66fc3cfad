// Compiled filters loaded in a real process (the seccomp-exec helper) that then runs busybox: the behaviour a
// container process sees. Needs root (the helper loads without no_new_privs), cc and busybox.

import Foundation
import TaurunOCI
import Testing

@testable import TaurunSeccomp

let canRunProcesses = SeccompHelper.isRoot && SeccompHelper.busybox != nil

@Suite(.enabled(if: canRunProcesses, "needs root and busybox"))
struct SeccompProcessTests {
    let busybox = SeccompHelper.busybox ?? "/bin/busybox"
    let sigsys: Int32 = 31

    func program(_ rules: [LinuxSyscall], defaultAction: LinuxSeccompAction = .allow) throws -> SeccompProgram {
        try SeccompCompiler.compile(LinuxSeccomp(defaultAction: defaultAction, syscalls: rules))
    }

    @Test func errnoActionMakesMkdirFailWithTheConfiguredErrno() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let filter = try program([LinuxSyscall(names: ["mkdir", "mkdirat"], action: .errno, errnoRet: 18)])
        let outcome = try SeccompHelper.run(filter, [busybox, "mkdir", directory + "/d"])
        #expect(outcome.exitCode == 1)
        #expect(outcome.stderr.contains("Invalid cross-device link"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/d"))
        // The same command without the rule works, so the failure above is the filter's.
        let allowed = try SeccompHelper.run(try program([]), [busybox, "mkdir", directory + "/d"])
        #expect(allowed.exitCode == 0)
    }

    @Test(arguments: [LinuxSeccompAction.killProcess, .killThread, .kill, .trap])
    func killingActionsEndTheProcessWithSIGSYS(action: LinuxSeccompAction) throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let filter = try program([LinuxSyscall(names: ["mkdir", "mkdirat"], action: action)])
        let outcome = try SeccompHelper.run(filter, [busybox, "mkdir", directory + "/d"])
        #expect(outcome.signal == sigsys)
        #expect(!FileManager.default.fileExists(atPath: directory + "/d"))
    }

    @Test func logActionLetsTheSyscallThrough() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let filter = try program([LinuxSyscall(names: ["mkdir", "mkdirat"], action: .log)])
        let outcome = try SeccompHelper.run(filter, [busybox, "mkdir", directory + "/d"])
        #expect(outcome.exitCode == 0)
        #expect(FileManager.default.fileExists(atPath: directory + "/d"))
    }

    @Test func argumentFilterMatchesOnlyTheGivenValue() throws {
        // kill(pid, 0) is refused, any other signal goes through.
        let filter = try program([
            LinuxSyscall(names: ["kill"], action: .errno, errnoRet: 18, args: [LinuxSeccompArg(index: 1, value: 0, op: .equalTo)])
        ])
        let probe = try SeccompHelper.probe(filter, "kill-0")
        #expect(probe.rc == -1 && probe.errno == 18)
        let refused = try SeccompHelper.run(filter, [busybox, "sh", "-c", "kill -0 $$"])
        #expect(refused.exitCode != 0)
        #expect(refused.stderr.contains("Invalid cross-device link"))
        let sent = try SeccompHelper.run(filter, [busybox, "sh", "-c", "kill -CONT $$ && echo sent"])
        #expect(sent.exitCode == 0)
        #expect(sent.stdout == "sent\n")
    }

    @Test func conditionsOfOneRuleMustAllHold() throws {
        // kill(pid, 0): arg1 == 0 holds, so the rule decides on arg0 alone.
        let matching = try program([
            LinuxSyscall(names: ["kill"], action: .errno, errnoRet: 18, args: [
                LinuxSeccompArg(index: 1, value: 0, op: .equalTo), LinuxSeccompArg(index: 0, value: 1, op: .greaterThan),
            ])
        ])
        let blocked = try SeccompHelper.probe(matching, "kill-0")
        #expect(blocked.rc == -1 && blocked.errno == 18)
        let notMatching = try program([
            LinuxSyscall(names: ["kill"], action: .errno, errnoRet: 18, args: [
                LinuxSeccompArg(index: 1, value: 0, op: .equalTo), LinuxSeccompArg(index: 0, value: 1, op: .equalTo),
            ])
        ])
        let allowed = try SeccompHelper.probe(notMatching, "kill-0")
        #expect(allowed.rc == 0 && allowed.errno == 0)
    }

    @Test func maskedEqualMatchesOnTheMaskedBits() throws {
        // clone is refused when CLONE_NEWUTS is among its flags, whatever else is set.
        let filter = try program([
            LinuxSyscall(names: ["clone"], action: .errno, errnoRet: 18, args: [
                LinuxSeccompArg(index: 0, value: 0x0400_0000, valueTwo: 0x0400_0000, op: .maskedEqual)
            ])
        ])
        let newUTS = try SeccompHelper.probe(filter, "clone-newuts")
        #expect(newUTS.rc == -1 && newUTS.errno == 18)
        let plain = try SeccompHelper.probe(filter, "clone-plain")
        #expect(plain.rc == 0)
    }

    @Test func errnoDefaultWithAnAllowListRunsOnlyWhatIsListed() throws {
        let filter = try SeccompCompiler.compile(
            LinuxSeccomp(defaultAction: .errno, defaultErrnoRet: 18, syscalls: [
                LinuxSyscall(names: ["execve", "brk", "arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64",
                                     "mprotect", "readlinkat", "getrandom", "write", "exit_group", "getuid", "geteuid",
                                     "getpid", "rt_sigprocmask", "rt_sigaction", "ioctl", "uname", "fcntl"],
                             action: .allow)
            ]))
        let echo = try SeccompHelper.run(filter, [busybox, "echo", "allowed"])
        #expect(echo.exitCode == 0)
        #expect(echo.stdout == "allowed\n")
        let probe = try SeccompHelper.probe(filter, "getppid")
        #expect(probe.rc == -1 && probe.errno == 18)
    }
}
