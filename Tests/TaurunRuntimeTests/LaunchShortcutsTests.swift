import Testing
import TaurunLinux
import TaurunOCI
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
