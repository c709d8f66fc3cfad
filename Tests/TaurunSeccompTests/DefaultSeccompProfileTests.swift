// The default profile: compiles within the kernel's limits, blocks the escape syscalls it promises to, and lets
// busybox do ordinary work.

import Foundation
import TaurunOCI
import Testing

@testable import TaurunSeccomp

@Suite struct DefaultSeccompProfileTests {
    let eperm: Int32 = 1

    @Test func compilesWithinTheKernelLimit() throws {
        let program = try SeccompCompiler.compile(DefaultSeccompProfile.profile())
        #expect(program.instructionCount > 100)
        #expect(program.instructionCount <= 4096)
        #expect(program.loadFlags == 0)
        #expect(!program.usesNotify)
        // Only names newer than this libseccomp may be skipped, never the everyday ones.
        for name in ["read", "openat", "clone", "execve", "mmap", "futex", "socket", "exit_group"] {
            #expect(!program.skippedSyscalls.contains(name))
        }
    }

    @Test func defaultIsEPERMAndNoEscapeSyscallIsAllowed() {
        let profile = DefaultSeccompProfile.profile()
        #expect(profile.defaultAction == .errno)
        #expect(profile.defaultErrnoRet == 1)
        let allowed = Set((profile.syscalls ?? []).filter { $0.action == .allow && ($0.args ?? []).isEmpty }.flatMap(\.names))
        let escapes = [
            "unshare", "setns", "clone", "clone3", "mount", "umount2", "pivot_root", "fsopen", "move_mount", "open_tree",
            "kexec_load", "kexec_file_load", "bpf", "keyctl", "add_key", "request_key", "ptrace", "process_vm_readv",
            "perf_event_open", "init_module", "finit_module", "delete_module", "open_by_handle_at", "userfaultfd",
            "reboot", "swapon", "swapoff", "acct", "settimeofday", "clock_settime", "iopl", "ioperm", "lookup_dcookie",
            "quotactl", "io_uring_setup", "personality",
        ]
        for name in escapes {
            #expect(!allowed.contains(name), "\(name) must not be allowed unconditionally")
        }
    }

    @Test(.enabled(if: canRunProcesses, "needs root and busybox"))
    func busyboxDoesOrdinaryWork() throws {
        let program = try SeccompCompiler.compile(DefaultSeccompProfile.profile())
        let busybox = SeccompHelper.busybox ?? "/bin/busybox"
        let listing = try SeccompHelper.run(program, [busybox, "sh", "-c", "ls /; echo ok"])
        #expect(listing.exitCode == 0, "\(listing.stderr)")
        #expect(listing.stdout.hasSuffix("ok\n"))
        #expect(listing.stdout.contains("tmp"))

        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let script = """
            set -e; cd \(directory); echo hello > a; cat a > b; cp b c; mv c d; ln -s d e; mkdir sub; chmod 700 sub
            touch sub/f; ls -l . > /dev/null; rm -r sub; test "$(cat e)" = hello; sort a | uniq | wc -l > /dev/null
            date > /dev/null; id > /dev/null; ps > /dev/null; sleep 0.01; (echo sub) | cat > /dev/null; echo done
            """
        let work = try SeccompHelper.run(program, [busybox, "sh", "-c", script])
        #expect(work.exitCode == 0, "\(work.stderr)")
        #expect(work.stdout == "done\n")
    }

    @Test(.enabled(if: canRunProcesses, "needs root and busybox"))
    func busyboxCannotUnshareOrMount() throws {
        let program = try SeccompCompiler.compile(DefaultSeccompProfile.profile())
        let busybox = SeccompHelper.busybox ?? "/bin/busybox"
        let unshare = try SeccompHelper.run(program, [busybox, "unshare", "-u", "true"])
        #expect(unshare.exitCode != 0)
        #expect(unshare.stderr.contains("Operation not permitted"))
        let mount = try SeccompHelper.run(program, [busybox, "mount", "-t", "tmpfs", "none", "/nonexistent-taurun-probe"])
        #expect(mount.exitCode != 0)
    }

    @Test(.enabled(if: canRunProcesses, "needs root and busybox"), arguments: [
        "unshare-uts", "setns", "mount-bind", "keyctl", "bpf", "ptrace", "clone-newuts", "personality-no-randomize",
    ])
    func escapeSyscallFailsWithEPERM(probe: String) throws {
        let program = try SeccompCompiler.compile(DefaultSeccompProfile.profile())
        let result = try SeccompHelper.probe(program, probe)
        #expect(result.rc == -1)
        #expect(result.errno == eperm)
    }

    @Test(.enabled(if: canRunProcesses, "needs root and busybox"))
    func everydaySyscallsPass() throws {
        let program = try SeccompCompiler.compile(DefaultSeccompProfile.profile())
        #expect(try SeccompHelper.probe(program, "clone-plain").rc == 0)
        #expect(try SeccompHelper.probe(program, "personality-query").rc >= 0)
        #expect(try SeccompHelper.probe(program, "getppid").rc > 0)
        // clone3 reports ENOSYS so libc falls back to clone, whose flags the filter can check.
        let clone3 = try SeccompHelper.probe(program, "clone3")
        #expect(clone3.rc == -1 && clone3.errno == 38)
    }

    @Test(.enabled(if: canRunProcesses, "needs root and busybox"))
    func withoutTheProfileTheProbesAreNotRefused() throws {
        // Control for escapeSyscallFailsWithEPERM: under an allow-all filter the same probes fail for other
        // reasons (or succeed), so the EPERM above comes from the profile.
        let allowAll = try SeccompCompiler.compile(LinuxSeccomp(defaultAction: .allow))
        #expect(try SeccompHelper.probe(allowAll, "mount-bind").errno == ENOENT)
        #expect(try SeccompHelper.probe(allowAll, "bpf").errno != eperm)
        #expect(try SeccompHelper.probe(allowAll, "clone-newuts").rc == 0)
        #expect(try SeccompHelper.probe(allowAll, "clone3").errno != 38)
    }

    #if arch(x86_64)
    @Test(.enabled(if: canRunProcesses, "needs root and busybox"))
    func syscallsNewerThanTheProfileGetENOSYS() throws {
        // 462 is mseal (Linux 6.10), newer than anything this profile names through libseccomp 2.5.4; 272 is unshare,
        // older and not allowed. Without a filter, mseal(0, 0, 0) is not ENOSYS on a kernel that has it.
        let allowAll = try SeccompCompiler.compile(LinuxSeccomp(defaultAction: .allow))
        #expect(try SeccompHelper.probe(allowAll, "raw-462").errno != 38)
        let program = try SeccompCompiler.compile(DefaultSeccompProfile.profile())
        let newer = try SeccompHelper.probe(program, "raw-462")
        #expect(newer.rc == -1 && newer.errno == 38)
        let older = try SeccompHelper.probe(program, "raw-272")
        #expect(older.rc == -1 && older.errno == eperm)
        // With KILL_PROCESS as the default, a newer syscall still gets ENOSYS instead of killing.
        let strict = try SeccompCompiler.compile(
            LinuxSeccomp(defaultAction: .killProcess, syscalls: [
                // What the helper needs after loading: print the result (fstat, write) and exit.
                LinuxSyscall(names: ["execve", "write", "exit_group", "exit", "brk", "arch_prctl", "set_tid_address",
                                     "set_robust_list", "rseq", "prlimit64", "mprotect", "getrandom", "readlinkat",
                                     "futex_wait", "fstat", "newfstatat", "ioctl", "close"], action: .allow)
            ]))
        let strictNewer = try SeccompHelper.probe(strict, "raw-462")
        #expect(strictNewer.rc == -1 && strictNewer.errno == 38)
    }

    /// Whether the i386 syscall entry works here at all (IA32 emulation); checked under an allow-all filter.
    static let kernelRunsI386: Bool = {
        guard canRunProcesses, let allowAll = try? SeccompCompiler.compile(LinuxSeccomp(defaultAction: .allow)),
            let control = try? SeccompHelper.run(allowAll, ["--probe", "i386-getpid"])
        else { return false }
        return control.exitCode == 0 && control.stdout.hasPrefix("rc=")
    }()

    @Test(.enabled(if: kernelRunsI386, "needs root, busybox and a kernel with IA32 emulation"))
    func thirtyTwoBitSyscallsAreKilled() throws {
        let program = try SeccompCompiler.compile(DefaultSeccompProfile.profile())
        let outcome = try SeccompHelper.run(program, ["--probe", "i386-getpid"])
        #expect(outcome.signal == 31)
    }
    #endif
}
