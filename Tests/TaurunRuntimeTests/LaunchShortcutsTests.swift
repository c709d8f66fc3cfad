import Testing
import TaurunLinux
import TaurunOCI
import CLinux
@testable import TaurunRuntime

#if canImport(Glibc)
import Glibc
#endif

/// The shortcuts create takes to be fast must not change what happens: the child skips the hook round trip only when
/// the parent has no prestart/createRuntime hook to run, and the cgroup attach warm-up helper is a process of our
/// own that finishes and is reaped.
@Suite struct LaunchShortcutsTests {
    func plan(hooks: Hooks?) throws -> InitPlan {
        var s = Spec.runcDefault(rootless: false)
        s.root = Root(path: "/")
        s.process?.terminal = false
        s.hooks = hooks
        return try InitPlan.build(spec: s, bundle: "/tmp", containerID: "t", options: CreateOptions())
    }

    @Test func childStopsForHooksOnlyWhenTheParentRunsSome() throws {
        let hook = Hook(path: "/bin/true")
        #expect(try plan(hooks: nil).runtimeHooks == false)
        #expect(try plan(hooks: Hooks(createContainer: [hook], startContainer: [hook], poststart: [hook])).runtimeHooks == false)
        #expect(try plan(hooks: Hooks(prestart: [hook])).runtimeHooks == true)
        #expect(try plan(hooks: Hooks(createRuntime: [hook])).runtimeHooks == true)
        #expect(try plan(hooks: Hooks(prestart: [], createRuntime: [])).runtimeHooks == false)
    }

    @Test func warmupNamesACgroupProcsFileOfOurOwnCgroup() throws {
        guard let file = CgroupAttachWarmup.ownProcsFile() else { return }  // pure v2 host, or no usual v1 mount
        #expect(file.hasPrefix("/sys/fs/cgroup/"))
        #expect(file.hasSuffix("/cgroup.procs"))
        // Our own pid is listed there: the helper's write moves it into the cgroup it is already in.
        let listed = try Files.readString(file).split(separator: "\n").compactMap { Int32($0) }
        #expect(listed.contains(getpid()))
    }

    @Test func warmupHelperExitsAndIsReaped() throws {
        guard CgroupAttachWarmup.ownProcsFile() != nil, getuid() == 0 else { return }
        var warmup = CgroupAttachWarmup.start()
        warmup.reap()
        warmup.reap()  // a second reap does nothing
        var none = CgroupAttachWarmup.none
        none.reap()
    }
}

/// Which cgroups the child joins itself (v1 `tasks`, no RCU grace period) and where the clone lands (cgroup2), and
/// when the parent must attach the pid instead.
@Suite struct CgroupSelfJoinTests {
    /// A hybrid host: the unified hierarchy is the cgroup2 mount.
    static func hybrid(_ dir: String) -> Bool { dir.hasPrefix("/sys/fs/cgroup/unified/") }
    let dirs = ["/sys/fs/cgroup/pids/c1", "/sys/fs/cgroup/memory/a/c1", "/sys/fs/cgroup/unified/c1"]

    func plan(_ dirs: [String], systemd: Bool = false, userNamespace: Bool = false, twoStage: Bool = false,
              isCgroup2: (String) -> Bool = hybrid) -> CgroupSelfJoin? {
        CgroupSelfJoin.plan(dirs: dirs, systemd: systemd, userNamespace: userNamespace, twoStage: twoStage, isCgroup2: isCgroup2)
    }

    @Test func hybridHostJoinsV1ByTasksAndClonesIntoTheUnifiedDir() throws {
        let join = try #require(plan(dirs))
        #expect(join.tasksFiles == ["/sys/fs/cgroup/pids/c1/tasks", "/sys/fs/cgroup/memory/a/c1/tasks"])
        #expect(join.unifiedDir == "/sys/fs/cgroup/unified/c1")
    }

    @Test func pureV2HostOnlyClonesIntoTheCgroup() throws {
        let join = try #require(plan(["/sys/fs/cgroup/a/c1"], isCgroup2: { _ in true }))
        #expect(join.tasksFiles.isEmpty)
        #expect(join.unifiedDir == "/sys/fs/cgroup/a/c1")
    }

    @Test func parentAttachesWhenTheChildCannot() {
        #expect(plan(dirs, systemd: true) == nil)
        #expect(plan(dirs, userNamespace: true) == nil)
        #expect(plan(dirs, twoStage: true) == nil)
        #expect(plan([]) == nil)
        // Two dirs on cgroup2 mounts: one clone cannot land in both.
        #expect(plan(dirs + ["/sys/fs/cgroup/unified/other"]) == nil)
    }

    @Test func thisHostsMountsAreRecognised() {
        // The ancestors of a cgroup not made yet decide; /proc is no cgroup2 mount.
        #expect(CgroupSelfJoin.onCgroup2("/proc/no/such/dir") == false)
        if let v2 = ["/sys/fs/cgroup/unified", "/sys/fs/cgroup"].first(where: { Self.statfsType($0) == 0x6367_7270 }) {
            #expect(CgroupSelfJoin.onCgroup2(v2 + "/taurun-not-made-yet/x"))
        }
        if Self.statfsType("/sys/fs/cgroup/pids") == 0x2762_9b21 {  // CGROUP_SUPER_MAGIC: a v1 hierarchy
            #expect(CgroupSelfJoin.onCgroup2("/sys/fs/cgroup/pids/taurun-not-made-yet") == false)
        }
    }

    static func statfsType(_ path: String) -> Int { tr_statfs_type(path) }
}
