import Testing
import TaurunLinux
import TaurunOCI
@testable import TaurunRuntime

/// Mount destinations in /proc (issue 13, item 4): runc's allow-list, lexically in the plan and on the resolved
/// destination at mount time; and `rro` parsing (item 5).
@Suite struct ProcMountPolicyTests {
    @Test func cleanAppliesDotDotAndDropsDots() {
        #expect(ProcMountPolicy.clean("/proc/../proc/self/fd") == "/proc/self/fd")
        #expect(ProcMountPolicy.clean("//proc/./meminfo/") == "/proc/meminfo")
        #expect(ProcMountPolicy.clean("/../../proc") == "/proc")
        #expect(ProcMountPolicy.clean("/") == "/")
        #expect(ProcMountPolicy.clean("proc/sys") == "/proc/sys")
    }

    @Test func procAtProcOnlyAsProcOrProcfsBind() {
        #expect(ProcMountPolicy.refusal(destination: "/proc", type: "proc", isBind: false, sourceIsProcFS: false) == nil)
        #expect(ProcMountPolicy.refusal(destination: "/proc", type: "bind", isBind: true, sourceIsProcFS: true) == nil)
        #expect(ProcMountPolicy.refusal(destination: "/proc", type: "bind", isBind: true, sourceIsProcFS: false) != nil)
        #expect(ProcMountPolicy.refusal(destination: "/proc", type: "tmpfs", isBind: false, sourceIsProcFS: false) != nil)
        #expect(ProcMountPolicy.refusal(destination: "/proc/", type: "tmpfs", isBind: false, sourceIsProcFS: false) != nil)
    }

    @Test func everyAllowedFileMayBeBound() {
        for path in ProcMountPolicy.allowedInsideProc {
            #expect(ProcMountPolicy.refusal(destination: path, type: "bind", isBind: true, sourceIsProcFS: false) == nil, "\(path)")
        }
        #expect(ProcMountPolicy.allowedInsideProc.count == 10)
    }

    @Test func everythingElseInsideProcIsRefused() {
        for path in ["/proc/self/fd", "/proc/self/attr", "/proc/self/attr/exec", "/proc/1/attr", "/proc/sys",
                     "/proc/sys/kernel/core_pattern", "/proc/thread-self/attr", "/proc/kcore", "/proc/meminfo/x",
                     "/proc/../proc/self/fd", "/proc/./sys", "/proc/net", "/proc/sysrq-trigger"] {
            let r = ProcMountPolicy.refusal(destination: path, type: "tmpfs", isBind: false, sourceIsProcFS: false)
            #expect(r == ProcMountPolicy.reason, "\(path)")
        }
    }

    @Test func outsideProcIsNotThePolicysBusiness() {
        for path in ["/", "/procfs", "/proc2/self/fd", "/tmp/proc/self/fd", "/sys/fs/cgroup", "/proc/../etc"] {
            #expect(ProcMountPolicy.refusal(destination: path, type: "tmpfs", isBind: false, sourceIsProcFS: false) == nil, "\(path)")
        }
    }

    @Test func reasonNamesTheAllowList() {
        #expect(ProcMountPolicy.reason.hasPrefix("mounting over /proc is not allowed (only proc at /proc and binds over cpuinfo, "))
        #expect(ProcMountPolicy.reason.contains("sys/kernel/ns_last_pid"))
    }

    @Test func resolvedDestinationInsideProcIsRefused() {
        // An image symlink /evil -> /proc/self/attr lands on /proc/<pid>/attr.
        #expect(ProcMountPolicy.refusal(resolved: "/proc/1/attr", onProcFS: true, type: "bind", isBind: true, sourceIsProcFS: false) != nil)
        #expect(ProcMountPolicy.refusal(resolved: "/proc/sys", onProcFS: true, type: "tmpfs", isBind: false, sourceIsProcFS: false) != nil)
        // Before /proc is mounted: still refused by place.
        #expect(ProcMountPolicy.refusal(resolved: "/proc/self/fd", onProcFS: false, type: "tmpfs", isBind: false, sourceIsProcFS: false) != nil)
        // A procfs mounted elsewhere (/host-proc) is procfs all the same.
        #expect(ProcMountPolicy.refusal(resolved: "/host-proc/1/fd", onProcFS: true, type: "tmpfs", isBind: false, sourceIsProcFS: false) != nil)
    }

    @Test func resolvedAllowedPlacesPass() {
        #expect(ProcMountPolicy.refusal(resolved: "/proc", onProcFS: false, type: "proc", isBind: false, sourceIsProcFS: false) == nil)
        #expect(ProcMountPolicy.refusal(resolved: "/proc", onProcFS: true, type: "proc", isBind: false, sourceIsProcFS: false) == nil)
        #expect(ProcMountPolicy.refusal(resolved: "/proc", onProcFS: false, type: "tmpfs", isBind: false, sourceIsProcFS: false) != nil)
        #expect(ProcMountPolicy.refusal(resolved: "/proc/meminfo", onProcFS: true, type: "bind", isBind: true, sourceIsProcFS: false) == nil)
        // /proc/net is procfs's link to self/net: /proc/net/dev lands on /proc/<pid>/net/dev.
        #expect(ProcMountPolicy.refusal(resolved: "/proc/42/net/dev", onProcFS: true, type: "bind", isBind: true, sourceIsProcFS: false) == nil)
        #expect(ProcMountPolicy.refusal(resolved: "/proc/42/net/tcp", onProcFS: true, type: "bind", isBind: true, sourceIsProcFS: false) != nil)
        #expect(ProcMountPolicy.refusal(resolved: "/data", onProcFS: false, type: "bind", isBind: true, sourceIsProcFS: false) == nil)
    }

    // MARK: - The planner

    func spec(_ extra: Mount) -> Spec {
        var s = Spec.runcDefault(rootless: false)
        s.root = Root(path: "/")
        s.process?.terminal = false
        s.mounts = (s.mounts ?? []) + [extra]
        return s
    }

    func message(_ s: Spec) -> String {
        do { _ = try InitPlan.build(spec: s, bundle: "/tmp", containerID: "t", options: CreateOptions()); return "" } catch {
            return "\(error)"
        }
    }

    @Test func plannerRefusesAMountOverProcSelfFdNamingFieldAndValue() {
        let s = spec(Mount(destination: "/proc/self/fd", type: "tmpfs", source: "tmpfs", options: nil))
        let index = (s.mounts?.count ?? 0) - 1
        let m = message(s)
        #expect(m == "config.json: mounts[\(index)].destination: \(ProcMountPolicy.reason) \"/proc/self/fd\"")
    }

    @Test func plannerRefusesABindOverProcSelfAttr() {
        let m = message(spec(Mount(destination: "/proc/self/attr", type: "bind", source: "/tmp", options: ["rbind"])))
        #expect(m.contains(".destination") && m.contains("\"/proc/self/attr\"") && m.contains("not allowed"))
    }

    @Test func plannerRefusesADotDotWayIntoProc() {
        let m = message(spec(Mount(destination: "/tmp/../proc/sys", type: "tmpfs", source: "tmpfs", options: nil)))
        #expect(m.contains("not allowed"))
    }

    @Test func plannerRefusesANonProcfsBindAtProc() {
        let m = message(spec(Mount(destination: "/proc", type: "bind", source: "/tmp", options: ["rbind"])))
        #expect(m.contains("only a proc mount"))
    }

    @Test func plannerAllowsABindOfTheHostsProcAtProcAndLxcfsBinds() {
        #expect(message(spec(Mount(destination: "/proc", type: "bind", source: "/proc", options: ["rbind"]))) == "")
        #expect(message(spec(Mount(destination: "/proc/meminfo", type: "bind", source: "/etc/hostname", options: ["bind"]))) == "")
    }

    @Test func rroParsesAsRecursiveReadOnly() throws {
        let o = MountOptions(["rbind", "rro", "nosuid"])
        #expect(o.recursiveReadOnly)
        #expect(o.flags.contains(.readOnly))
        #expect(o.dataString == nil)
        #expect(!MountOptions(["rbind", "ro"]).recursiveReadOnly)
        let plan = try InitPlan.build(spec: spec(Mount(destination: "/data", type: "bind", source: "/tmp", options: ["rbind", "rro"])),
                                      bundle: "/tmp", containerID: "t", options: CreateOptions())
        #expect(plan.mounts.last?.options.recursiveReadOnly == true)
    }
}
