import Testing
@testable import TaurunCgroups

/// destroy's rmdir-only first step against plain directories: rmdir refuses a non-empty directory there as the
/// kernel refuses a cgroup with processes or children, which is what keeps it from removing too much.
@Suite struct CgroupDestroyTests {
    let mirror = CgroupMirror()

    @Test func emptyAndMissingDirectoriesAreRemoved() {
        mirror.dir("memory/c1")
        mirror.dir("pids/c1")
        #expect(CgroupfsManager.removeEmpty([mirror.path("memory/c1"), mirror.path("pids/c1"), mirror.path("cpu/c1")]))
        #expect(!mirror.exists("memory/c1"))
        #expect(!mirror.exists("pids/c1"))
        #expect(mirror.exists("memory"))
    }

    @Test func aBusyDirectoryLeavesItAndTheRestToTheFullDestroy() {
        mirror.dir("memory/c1")
        mirror.dir("pids/c1/child")
        mirror.dir("freezer/c1")
        #expect(!CgroupfsManager.removeEmpty([mirror.path("memory/c1"), mirror.path("pids/c1"), mirror.path("freezer/c1")]))
        #expect(mirror.exists("pids/c1/child"))
        // It stops at the first refusal: what follows is the manager's to find, kill and remove.
        #expect(mirror.exists("freezer/c1"))
    }

    /// Where the first step stops, the full way takes over: the child cgroup is removed, then its parent.
    @Test func destroyOfTheRecordedDirectoriesRemovesTheRestTheFullWay() throws {
        mirror.dir("memory/c1")
        mirror.dir("pids/c1/child")
        mirror.dir("freezer/c1")
        try Cgroups.destroy(recorded: CgroupDirectories(dirs: [mirror.path("memory/c1"), mirror.path("pids/c1"), mirror.path("freezer/c1")]))
        #expect(!mirror.exists("memory/c1") && !mirror.exists("pids/c1") && !mirror.exists("freezer/c1"))
        #expect(mirror.exists("pids"))
    }
}
