import Testing
import TaurunLinux
import TaurunSupport
@testable import TaurunRuntime

#if canImport(Glibc)
import Glibc
#endif

/// mountBelow guards id-mapped binds: a source with a mount below it is refused. It reads mount points through the
/// one mountinfo reader, so a source whose path has a tab, newline or backslash (escaped \011, \012, \134 by the
/// kernel) is still matched. The reader it replaced unescaped only \040 and missed such a mount, letting the bind
/// through.
@Suite struct MountBelowTests {
    @Test func aSourceWithATabInItsPathFindsTheMountBelow() {
        let table = MountInfo("""
            22 1 8:1 / / rw - ext4 /dev/sda1 rw
            90 22 0:50 / /srv/a\\011b/cache rw - tmpfs tmpfs rw
            91 22 0:51 / /srv/n\\012l\\134x\\040y/sub rw - tmpfs tmpfs rw

            """)
        #expect(InitPlan.mountBelow("/srv/a\tb", in: table) == "/srv/a\tb/cache")
        #expect(InitPlan.mountBelow("/srv/n\nl\\x y", in: table) == "/srv/n\nl\\x y/sub")
        #expect(InitPlan.mountBelow("/srv/a", in: table) == nil)
        #expect(InitPlan.mountBelow("/srv/a\tb/cache", in: table) == nil)
    }

    /// The same against the kernel's own mountinfo: a tmpfs mounted below a directory named with a space, a tab, a
    /// newline and a backslash. Root only (mount).
    @Test func theKernelsEscapesAreReadBack() throws {
        guard getuid() == 0 else { return }
        let base = "/tmp/taurun-mountbelow-\(getpid())"
        let source = base + "/a b\tc\nd\\e"
        try Files.mkdirAll(source + "/inner")
        defer { try? Files.removeTree(base) }
        try Mounts.mount(source: "tmpfs", target: source + "/inner", type: "tmpfs", flags: [], data: nil)
        defer { try? Mounts.unmount(source + "/inner") }
        #expect(InitPlan.mountBelow(source) == source + "/inner")
        #expect(InitPlan.mountBelow(source + "/inner") == nil)
    }
}
