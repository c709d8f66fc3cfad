import Testing
import TaurunSupport

/// The one mountinfo reader: fields, the optional fields before "-", and every escape the kernel writes.
@Suite struct MountInfoTests {
    @Test func fieldsAreReadAroundTheOptionalFields() throws {
        let text = """
            22 1 0:21 / /proc rw,nosuid,nodev - proc proc rw
            41 31 0:38 /sub /sys/fs/cgroup/unified rw,relatime shared:9 master:2 - cgroup2 cgroup2 rw,nsdelegate

            """
        let entries = Array(MountInfo(text))
        #expect(entries.count == 2)
        let cgroup = try #require(entries.last)
        #expect(cgroup.root == "/sub")
        #expect(cgroup.mountPoint == "/sys/fs/cgroup/unified")
        #expect(cgroup.mountOptions == ["rw", "relatime"])
        #expect(cgroup.fsType == "cgroup2")
        #expect(cgroup.hasFSType("cgroup2") && !cgroup.hasFSType("cgroup"))
        #expect(cgroup.source == "cgroup2")
        #expect(cgroup.superOptions == ["rw", "nsdelegate"])
    }

    /// A mount point with a space, a tab, a newline and a backslash in it, as the kernel writes it (\040 \011 \012
    /// \134), in the root, the mount point, the source and a super option.
    @Test func everyKernelEscapeIsDecoded() throws {
        let line = #"90 22 7:0 /a\134b /srv/a\040b\011c\012d\134e rw - fuse.x my\040disk rw,subtype=x\011y"# + "\n"
        let entry = try #require(Array(MountInfo(line)).first)
        #expect(entry.mountPoint == "/srv/a b\tc\nd\\e")
        #expect(entry.root == "/a\\b")
        #expect(entry.source == "my disk")
        #expect(entry.superOptions == ["rw", "subtype=x\ty"])
        #expect(entry.fsType == "fuse.x")
    }

    @Test func aBackslashThatIsNotAnEscapeIsKept() {
        #expect(MountInfo.unescape(#"/a\04"#) == #"/a\04"#)
        #expect(MountInfo.unescape(#"/a\09x"#) == #"/a\09x"#)
        #expect(MountInfo.unescape(#"/a\400"#) == #"/a\400"#)
        #expect(MountInfo.unescape(#"\101\102"#) == "AB")
        #expect(MountInfo.unescape("/plain") == "/plain")
    }

    /// A mount point named "-" is a field, not the separator, and a line cut short is skipped.
    @Test func oddLinesAreReadOrSkippedNotMisread() {
        let text = "30 20 0:30 / - rw - tmpfs tmpfs rw\n31 20 0:31 / /short rw - tmpfs\n\n"
        let entries = Array(MountInfo(text))
        #expect(entries.map(\.mountPoint) == ["-"])
        #expect(entries.first?.fsType == "tmpfs")
    }

}
