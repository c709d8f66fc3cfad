import Testing
@testable import TaurunCgroups

/// delete's rmdir-only path against plain directories: rmdir refuses a non-empty directory there as the kernel
/// refuses a cgroup with processes or children, which is what keeps the fast path from removing too much.
@Suite struct RemoveEmptyTests {
    let mirror = CgroupMirror()

    @Test func emptyAndMissingDirectoriesAreRemoved() {
        mirror.dir("memory/c1")
        mirror.dir("pids/c1")
        let recorded = CgroupDirectories(dirs: [mirror.path("memory/c1"), mirror.path("pids/c1"), mirror.path("cpu/c1")])
        #expect(Cgroups.removeEmpty(recorded))
        #expect(!mirror.exists("memory/c1"))
        #expect(!mirror.exists("pids/c1"))
        #expect(mirror.exists("memory"))
    }

    @Test func aBusyDirectoryLeavesItAndTheRestToTheFullDestroy() {
        mirror.dir("memory/c1")
        mirror.dir("pids/c1/child")
        mirror.dir("freezer/c1")
        let recorded = CgroupDirectories(dirs: [mirror.path("memory/c1"), mirror.path("pids/c1"), mirror.path("freezer/c1")])
        #expect(!Cgroups.removeEmpty(recorded))
        #expect(mirror.exists("pids/c1/child"))
        // It stops at the first refusal: what follows is the manager's to find, kill and remove.
        #expect(mirror.exists("freezer/c1"))
    }

    @Test func aSystemdUnitIsNeverRemovedBehindSystemdsBack() {
        mirror.dir("memory/c1")
        #expect(!Cgroups.removeEmpty(CgroupDirectories(dirs: [mirror.path("memory/c1")], systemdUnit: "taurun-c1.scope")))
        #expect(mirror.exists("memory/c1"))
    }
}
