import Testing
import TaurunLinux

#if canImport(Glibc)
import Glibc
#endif

/// writeAtomically writes through a random O_EXCL|O_NOFOLLOW temporary: symlinks planted at predictable names in a
/// directory others can write (a --pid-file in /tmp) never make it write elsewhere.
@Suite struct WriteAtomicallyTests {
    let dir: String

    init() {
        var template = Array("/tmp/taurun-atomic-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        dir = String(cString: made!)
    }

    func cleanup() { try? Files.removeTree(dir) }

    func text(_ path: String) -> String? {
        (try? Files.read(path)).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func plantedSymlinksAtPredictableTemporaryNamesAreNotFollowed() throws {
        defer { cleanup() }
        let victim = dir + "/victim"
        try Files.writeAtomically(victim, Array("precious".utf8))
        let target = dir + "/pid"
        for name in ["pid.tmp", ".pid.tmp", ".pid", "pid.tmp.\(getpid())"] { symlink(victim, dir + "/" + name) }
        symlink(victim, target)
        try Files.writeAtomically(target, Array("1234".utf8), mode: 0o644)
        #expect(text(victim) == "precious")
        #expect(text(target) == "1234")
        var st = stat()
        #expect(lstat(target, &st) == 0 && st.st_mode & 0o170000 == 0o100000)
        // Only the planted links, the victim and the file itself: no temporary left behind.
        #expect(Files.list(dir).filter { $0.contains(".tmp.") && $0 != "pid.tmp.\(getpid())" }.isEmpty)
    }

    /// A replace swaps the new file in (RENAME_EXCHANGE) and unlinks the old one: nothing is left but the file.
    @Test func replacingLeavesOnlyTheNewContent() throws {
        defer { cleanup() }
        let path = dir + "/state.json"
        for round in 0..<3 { try Files.writeAtomically(path, Array("round \(round)".utf8)) }
        #expect(text(path) == "round 2")
        #expect(Files.list(dir) == ["state.json"])
    }

    /// rename refuses to replace a directory with a file; the exchange must not succeed where it did not.
    @Test func aDirectoryAtThePathIsRefusedAndKept() throws {
        defer { cleanup() }
        let path = dir + "/pid"
        mkdir(path, 0o755)
        #expect(throws: SyscallError.self) { try Files.writeAtomically(path, Array("1".utf8)) }
        #expect(Files.isDirectory(path))
        #expect(Files.list(dir) == ["pid"])
    }
}
