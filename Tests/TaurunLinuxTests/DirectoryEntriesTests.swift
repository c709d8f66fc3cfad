import Testing
import TaurunLinux

#if canImport(Glibc)
import Glibc
#endif

/// Files.entries lists a directory with readdir's types (what CgroupFiles tells child cgroups from control files by),
/// the one-call mkdir and rmdir report their errno, and mkdtemp makes a new private directory each time.
@Suite struct DirectoryEntriesTests {
    @Test func entriesCarryTheirKinds() throws {
        let base = "/tmp/taurun-entries-\(getpid())"
        try Files.makeDirectory(base, mode: 0o700)
        defer { try? Files.removeTree(base) }
        try Files.makeDirectory(base + "/child")
        try Files.writeAtomically(base + "/file", Array("x".utf8))
        #expect(symlink("child", base + "/link") == 0)
        let kinds = Dictionary(uniqueKeysWithValues: Files.entries(base).map { ($0.name, $0.kind) })
        // tmpfs and ext4 both report d_type; a filesystem that does not would give nil, never a wrong kind.
        #expect(kinds.count == 3)
        #expect(kinds["child"] == .directory || kinds["child"] == .some(nil))
        #expect(kinds["file"] == .regular || kinds["file"] == .some(nil))
        #expect(kinds["link"] == .symlink || kinds["link"] == .some(nil))
        #expect(Files.entries(base + "/missing").isEmpty)

        #expect(throws: SyscallError("mkdir", base + "/child", errno: .fileExists)) { try Files.makeDirectory(base + "/child") }
        #expect(throws: SyscallError("rmdir", base, errno: .directoryNotEmpty)) { try Files.removeDirectory(base) }
        try Files.removeDirectory(base + "/child")
        #expect(!Files.exists(base + "/child"))
    }

    @Test func temporaryDirectoriesAreNewAndPrivate() throws {
        let base = "/tmp/taurun-mkdtemp-\(getpid())"
        try Files.makeDirectory(base, mode: 0o755)
        defer { try? Files.removeTree(base) }
        let first = try Files.makeTemporaryDirectory(in: base, prefix: "scratch.")
        let second = try Files.makeTemporaryDirectory(in: base, prefix: "scratch.")
        #expect(first != second)
        for path in [first, second] {
            #expect(path.hasPrefix(base + "/scratch.") && path.count == base.count + "/scratch.".count + 6)
            let info = try Files.stat(path: path)
            #expect(info.st_mode & S_IFMT == S_IFDIR && info.st_mode & 0o777 == 0o700)
        }
        #expect(throws: SyscallError("mkdtemp", base + "/missing", errno: .noSuchFileOrDirectory)) {
            try Files.makeTemporaryDirectory(in: base + "/missing", prefix: "scratch.")
        }
    }
}
