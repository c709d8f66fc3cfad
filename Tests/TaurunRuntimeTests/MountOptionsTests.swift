import Testing
import TaurunLinux
@testable import TaurunRuntime

@Suite struct MountOptionsTests {
    @Test func flagsClearsPropagationAndDataAreSeparated() {
        let o = MountOptions(["rbind", "ro", "nosuid", "rprivate", "mode=755", "size=65536k"])
        #expect(o.flags == [.bind, .recursive, .readOnly, .noSuid])
        #expect(o.propagation == [[.private, .recursive]])
        #expect(o.dataString == "mode=755,size=65536k")
        #expect(o.isBind)
    }

    @Test func laterOptionWins() {
        let o = MountOptions(["ro", "rw", "noexec", "exec"])
        #expect(!o.flags.contains(.readOnly))
        #expect(!o.flags.contains(.noExec))
        #expect(o.clear.contains(.readOnly))
    }

    @Test func rootPropagationDefaultsToRecursiveSlave() {
        #expect(MountOptions.rootPropagation(nil) == [.slave, .recursive])
        #expect(MountOptions.rootPropagation("") == [.slave, .recursive])
        #expect(MountOptions.rootPropagation("shared") == [.shared])
        #expect(MountOptions.rootPropagation("rprivate") == [.private, .recursive])
        #expect(MountOptions.rootPropagation("bogus") == nil)
    }
}
