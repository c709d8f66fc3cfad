#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import TaurunAudit

@Suite struct ViolationExplainerTests {
    @Test func theTwoLinesFromTheIssue() {
        #expect(ViolationExplainer.violationLine(app: "org.tauos.media", action: "terminated", syscall: "socket", args: [2, 1, 0, 0, 0, 0])
            == "org.tauos.media terminated: socket(AF_INET, SOCK_STREAM) needs permission \"network\", which is not granted")
        #expect(ViolationExplainer.violationLine(app: "org.tauos.hello", action: "terminated", syscall: "unshare", args: [0x1000_0000, 0, 0, 0, 0, 0])
            == "org.tauos.hello terminated: unshare(CLONE_NEWUSER) is not allowed: apps cannot create namespaces")
    }

    @Test func theRecordKeepsOnlyTheArgumentsTheSyscallTakes() {
        let registers: [UInt64] = [2, 1, 0, 5_817_056, 1_844_674_407_370_955_161, 6_170_432]
        #expect(ViolationExplainer.arguments(syscall: "socket", args: registers) == [2, 1, 0])
        #expect(ViolationExplainer.arguments(syscall: "unshare", args: registers) == [2])
        #expect(ViolationExplainer.arguments(syscall: "syscall_999", args: registers) == registers)
    }

    @Test func deniedActionAndAMountLine() {
        #expect(ViolationExplainer.violationLine(
            app: "org.tauos.notes", action: "denied", syscall: "mount", args: [0x7ffd_5f1c_2e00, 0x7ffd_5f1c_2e40, 0, 0x5000, 0, 0])
            == "org.tauos.notes denied: mount(0x7ffd5f1c2e00, 0x7ffd5f1c2e40, 0x0, MS_BIND|MS_REC, 0x0) is not allowed: apps cannot mount filesystems")
    }

    @Test func socketsNameFamilyTypeAndProtocolAndMaskFdFlags() {
        let nonblockCloexec = UInt64(SOCK_NONBLOCK.rawValue) | UInt64(SOCK_CLOEXEC.rawValue)
        #expect(ViolationExplainer.describeCall(syscall: "socket", args: [UInt64(AF_INET6), 2 | nonblockCloexec, 0, 0, 0, 0])
            == "socket(AF_INET6, SOCK_DGRAM)")
        #expect(ViolationExplainer.describeCall(syscall: "socket", args: [2, 1, 6, 0, 0, 0]) == "socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)")
        #expect(ViolationExplainer.describeCall(syscall: "socket", args: [16, 3, 9, 0, 0, 0]) == "socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT)")
        #expect(ViolationExplainer.describeCall(syscall: "socket", args: [17, 3, 0x300, 0, 0, 0]) == "socket(AF_PACKET, SOCK_RAW, 768)")
        #expect(ViolationExplainer.describeCall(syscall: "socketpair", args: [1, 1, 0, 0x7ffd_0000_1000, 0, 0]) == "socketpair(AF_UNIX, SOCK_STREAM)")
        #expect(ViolationExplainer.describeCall(syscall: "socket", args: [99, 77, 0, 0, 0, 0]) == "socket(99, 77)")
    }

    @Test func vocabularyAgreesWithTheCHeaders() throws {
        #expect(LinuxCallVocabulary.addressFamilies[UInt64(AF_UNIX)] == "AF_UNIX")
        #expect(LinuxCallVocabulary.addressFamilies[UInt64(AF_INET6)] == "AF_INET6")
        #expect(LinuxCallVocabulary.addressFamilies[UInt64(AF_NETLINK)] == "AF_NETLINK")
        #expect(LinuxCallVocabulary.addressFamilies[UInt64(AF_PACKET)] == "AF_PACKET")
        #expect(LinuxCallVocabulary.addressFamilies[UInt64(AF_VSOCK)] == "AF_VSOCK")
        #expect(LinuxCallVocabulary.socketTypes[UInt64(SOCK_SEQPACKET.rawValue)] == "SOCK_SEQPACKET")
        #expect(LinuxCallVocabulary.socketCreationFlags == UInt64(SOCK_NONBLOCK.rawValue) | UInt64(SOCK_CLOEXEC.rawValue))
        // Glibc's module does not export the CLONE_* macros (they need _GNU_SOURCE), so compare with the kernel
        // header itself: every clone flag in the table must carry the value linux/sched.h defines for it.
        let header = try #require(TemporaryDirectory.readText("/usr/include/linux/sched.h"))
        var defined: [String: UInt64] = [:]
        for line in header.split(separator: "\n") where line.hasPrefix("#define CLONE_") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if words.count >= 3, words[2].hasPrefix("0x"), let value = UInt64(words[2].dropFirst(2), radix: 16) {
                defined[String(words[1])] = value
            }
        }
        for (value, name) in LinuxCallVocabulary.namespaceFlags + LinuxCallVocabulary.otherCloneFlags {
            #expect(defined[name] == value, "\(name)")
        }
        let mount = Dictionary(uniqueKeysWithValues: LinuxCallVocabulary.mountFlags.map { ($1, $0) })
        #expect(mount["MS_BIND"] == UInt64(MS_BIND))
        #expect(mount["MS_REC"] == UInt64(MS_REC))
        #expect(mount["MS_PRIVATE"] == UInt64(MS_PRIVATE))
        #expect(mount["MS_REMOUNT"] == UInt64(MS_REMOUNT))
    }

    @Test func namespaceFlagsPrintUserFirstThenTheRestThenUnknownBitsAsHex() {
        #expect(ViolationExplainer.describeCall(syscall: "unshare", args: [0x1002_0000, 0, 0, 0, 0, 0]) == "unshare(CLONE_NEWUSER|CLONE_NEWNS)")
        #expect(ViolationExplainer.describeCall(syscall: "unshare", args: [0x4000_0400]) == "unshare(CLONE_NEWNET|CLONE_FILES)")
        #expect(ViolationExplainer.describeCall(syscall: "unshare", args: [0]) == "unshare(0)")
        #expect(ViolationExplainer.describeCall(syscall: "unshare", args: [0x1_0000_0000]) == "unshare(0x100000000)")
        #expect(ViolationExplainer.describeCall(syscall: "clone", args: [0x4000_0000 | 17, 0, 0, 0, 0, 0]) == "clone(CLONE_NEWNET|SIGCHLD)")
        #expect(ViolationExplainer.describeCall(syscall: "clone", args: [0x0120_0011, 0, 0, 0x7f00_0000_0a10, 0, 0])
            == "clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD)")
        #expect(ViolationExplainer.describeCall(syscall: "setns", args: [3, 0x4000_0000, 0, 0, 0, 0]) == "setns(3, CLONE_NEWNET)")
        #expect(ViolationExplainer.describeCall(syscall: "setns", args: [5, 0]) == "setns(5, 0)")
    }

    @Test func otherCallsShowOnlyTheirOwnArguments() {
        #expect(ViolationExplainer.describeCall(syscall: "keyctl", args: [1, 0, 0, 0, 0, 0xdead]) == "keyctl(1, 0, 0, 0, 0)")
        #expect(ViolationExplainer.describeCall(syscall: "bpf", args: [5, 0x7ffc_1234_5670, 128, 9, 9, 9]) == "bpf(5, 0x7ffc12345670, 128)")
        #expect(ViolationExplainer.describeCall(syscall: "clone3", args: [0x7ffc_0000_0100, 88, 0, 0, 0, 0]) == "clone3(0x7ffc00000100, 88)")
        #expect(ViolationExplainer.describeCall(syscall: "chroot", args: [0x5555_0000_2000, 0, 0, 0, 0, 0]) == "chroot(0x555500002000)")
        #expect(ViolationExplainer.describeCall(syscall: "openat", args: [UInt64(bitPattern: -100), 0x5555_0000_2000, 0, 0, 0, 0])
            == "openat(-100, 0x555500002000, 0, 0)")
        #expect(ViolationExplainer.describeCall(syscall: "vhangup", args: [0, 0, 0, 0, 0, 0]) == "vhangup()")
        #expect(ViolationExplainer.describeCall(syscall: "made_up_call", args: [1, 2, 3]) == "made_up_call(1, 2, 3)")
    }

    @Test func onlyNonUnixSocketsNeedAPermission() {
        #expect(ViolationExplainer.permission(syscall: "socket", args: [2, 1, 0, 0, 0, 0]) == "network")
        #expect(ViolationExplainer.permission(syscall: "socket", args: [10, 2, 0, 0, 0, 0]) == "network")
        #expect(ViolationExplainer.permission(syscall: "socket", args: [16, 3, 0, 0, 0, 0]) == "network")
        #expect(ViolationExplainer.permission(syscall: "socketpair", args: [2, 1, 0, 0, 0, 0]) == "network")
        #expect(ViolationExplainer.permission(syscall: "socket", args: [1, 1, 0, 0, 0, 0]) == nil)
        #expect(ViolationExplainer.permission(syscall: "socketpair", args: [1, 1, 0, 0, 0, 0]) == nil)
        for call in ["unshare", "mount", "ptrace", "bpf", "keyctl", "connect", "clone3"] {
            #expect(ViolationExplainer.permission(syscall: call, args: [2, 1, 0, 0, 0, 0]) == nil)
        }
    }

    @Test func reasonsNameWhatTheCallWouldLetAnAppDo() {
        func reason(_ call: String, _ args: [UInt64] = [0, 0, 0, 0, 0, 0]) -> String { ViolationExplainer.reason(syscall: call, args: args) }
        #expect(reason("unshare", [0x2000_0000]) == "apps cannot create namespaces")
        #expect(reason("clone", [0x4000_0011]) == "apps cannot create namespaces")
        #expect(reason("clone3", [0x7ffc_0000_0100, 88]) == "apps cannot create namespaces")
        #expect(reason("setns", [3, 0]) == "apps cannot join other namespaces")
        for call in ["mount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsmount", "fsconfig", "fspick", "mount_setattr", "chroot"] {
            #expect(reason(call) == "apps cannot mount filesystems")
        }
        for call in ["ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd"] {
            #expect(reason(call) == "apps cannot inspect other processes")
        }
        for call in ["keyctl", "add_key", "request_key"] { #expect(reason(call) == "apps cannot use the kernel keyring") }
        #expect(reason("bpf") == "apps cannot load BPF programs")
        #expect(reason("perf_event_open") == "apps cannot use performance counters")
        for call in ["init_module", "finit_module", "delete_module"] { #expect(reason(call) == "apps cannot load or remove kernel modules") }
        #expect(reason("kexec_load") == "apps cannot load another kernel")
        #expect(reason("kexec_file_load") == "apps cannot load another kernel")
        #expect(reason("reboot") == "apps cannot reboot the system")
        for call in ["settimeofday", "clock_settime", "clock_adjtime", "adjtimex"] { #expect(reason(call) == "apps cannot set the system clock") }
        #expect(reason("swapon") == "apps cannot manage swap")
        #expect(reason("io_uring_setup") == "apps cannot use io_uring, which bypasses the system-call filter")
        #expect(reason("userfaultfd") == "apps cannot use userfaultfd")
        #expect(reason("open_by_handle_at") == "apps cannot open files by handle, which bypasses path checks")
        #expect(reason("syslog") == "apps cannot read or control the kernel log")
        #expect(reason("iopl") == "apps cannot access I/O ports")
        #expect(reason("sethostname") == "apps cannot change the host or domain name")
        #expect(reason("acct") == "apps cannot switch process accounting")
        #expect(reason("quotactl") == "apps cannot change disk quotas")
        let fallback = "it is outside the app sandbox's system-call allowlist"
        #expect(reason("unshare", [0x400]) == fallback)
        #expect(reason("clone", [0x0120_0011]) == fallback)
        #expect(reason("socket", [1, 1, 0]) == fallback)
        #expect(reason("made_up_call") == fallback)
    }

    @Test func lineForANetworklessSocketPairAndAnUnknownCall() {
        #expect(ViolationExplainer.violationLine(app: "a.b", action: "denied", syscall: "socketpair", args: [10, 1, 0, 0x7ff0, 0, 0])
            == "a.b denied: socketpair(AF_INET6, SOCK_STREAM) needs permission \"network\", which is not granted")
        #expect(ViolationExplainer.violationLine(app: "a.b", action: "terminated", syscall: "acct", args: [0, 0, 0, 0, 0, 0])
            == "a.b terminated: acct(0) is not allowed: apps cannot switch process accounting")
    }
}
