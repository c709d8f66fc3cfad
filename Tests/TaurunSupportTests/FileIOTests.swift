#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import TaurunSupport

/// A caller's error type, as each module has one.
private struct TestFileError: FileCallError, Equatable {
    let call: String
    let path: String
    let errno: Int32
}

private typealias Files = FileIO<TestFileError>

private func temporaryDirectory(_ tag: String) -> String {
    var template = Array("/tmp/fileio-\(tag)-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    precondition(made != nil, "mkdtemp failed")
    return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// The package's one file layer.
struct FileIOTests {
    @Test(arguments: [
        ("/a/b", "/x", "/a/b"), ("b/c", "/a", "/a/b/c"), ("./b/./c/", "/a", "/a/b/c"), ("../b", "/a/x", "/a/b"),
        ("../../..", "/a", "/"), ("/", "/a", "/"), ("", "/a//b/", "/a/b"), ("..b/.c", "/", "/..b/.c"), ("//a///b", "/", "/a/b"),
        ("é/../ü", "/ß", "/ß/ü"),
    ])
    func absoluteResolvesLexically(path: String, base: String, expected: String) {
        #expect(LexicalPath.absolute(path, relativeTo: base) == expected)
    }

    @Test func readFileReadsWholeFilesProcFilesAndRefusesPastTheLimit() throws {
        let directory = temporaryDirectory("readfile")
        defer { try? Files.removeTree(directory) }
        let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Files.createFile(directory + "/big", bytes: big)
        try Files.createFile(directory + "/empty", bytes: [])
        #expect(try Files.readFile(directory + "/big") == big)
        #expect(try Files.readFile(directory + "/big", limit: 200_000) == big)
        #expect(try Files.readFile(directory + "/big", limit: .max) == big)
        #expect(try Files.readFile(directory + "/empty") == [])
        #expect(throws: TestFileError(call: "read", path: directory + "/big", errno: EFBIG)) {
            try Files.readFile(directory + "/big", limit: 199_999)
        }
        // /proc reports size 0; the content still comes through whole (more than one 16 KiB step).
        let maps = try Files.readFile("/proc/self/maps")
        #expect(maps.count > 4096 && maps.last == UInt8(ascii: "\n"))
        #expect(throws: TestFileError(call: "open", path: directory + "/missing", errno: ENOENT)) {
            try Files.readFile(directory + "/missing")
        }
        #expect(try Files.readFileIfPresent(directory + "/missing") == nil)
    }

    @Test func createRefusesWhatExistsAndReplaceIsWholeOrNothing() throws {
        let directory = temporaryDirectory("write")
        defer { try? Files.removeTree(directory) }
        let path = directory + "/state.json"
        try Files.createFile(path, bytes: Array("one".utf8), mode: 0o600)
        #expect(throws: TestFileError(call: "open", path: path, errno: EEXIST)) {
            try Files.createFile(path, bytes: [])
        }
        // A leftover temp file of a killed writer (or a symlink planted there) is removed, never written through.
        try Files.makeSymlink(path + ".tmp", target: directory + "/elsewhere")
        try Files.replaceFile(path, bytes: Array("two".utf8), mode: 0o640)
        #expect(try Files.readFile(path) == Array("two".utf8))
        #expect(Files.kind(directory + "/elsewhere") == nil && Files.kind(path + ".tmp") == nil)
        #expect(try Files.status(path).st_mode & 0o777 == 0o640)
    }

    @Test func randomTemporaryNamesAreSixteenHexDigitsAndDiffer() {
        let a = TemporaryFileName.randomSuffix(), b = TemporaryFileName.randomSuffix()
        #expect(a.count == 16 && b.count == 16 && a != b)
        #expect(a.allSatisfy { $0.isHexDigit })
        #expect(TemporaryFileName.fixed.path(for: "/x/state.json") == "/x/state.json.tmp")
        #expect(TemporaryFileName.random.path(for: "/x/pid").hasPrefix("/x/pid.tmp."))
    }

    @Test func makeDirectoriesSetsExactModesAndNamesWhatIsNotADirectory() throws {
        let directory = temporaryDirectory("mkdir")
        defer { try? Files.removeTree(directory) }
        let old = umask(0o077)
        defer { umask(old) }
        try Files.makeDirectories(directory + "/a/b/c", mode: 0o750, parentMode: 0o711)
        #expect(try Files.status(directory + "/a").st_mode & 0o777 == 0o711)
        #expect(try Files.status(directory + "/a/b/c").st_mode & 0o777 == 0o750)
        try Files.makeDirectories(directory + "/a/b/c", mode: 0o700)  // existing: left as it is
        #expect(try Files.status(directory + "/a/b/c").st_mode & 0o777 == 0o750)
        try Files.makeSymlink(directory + "/link", target: directory + "/a")
        try Files.makeDirectories(directory + "/link/d")
        #expect(Files.kind(directory + "/a/d") == .directory)
        try Files.createFile(directory + "/file", bytes: [])
        #expect(throws: TestFileError(call: "mkdir", path: directory + "/file", errno: ENOTDIR)) {
            try Files.makeDirectories(directory + "/file/x")
        }
    }

    @Test func removeTreeNeverFollowsSymlinks() throws {
        let directory = temporaryDirectory("rmtree")
        let outside = temporaryDirectory("rmtree-outside")
        defer { try? Files.removeTree(outside) }
        try Files.createFile(outside + "/keep", bytes: [1])
        try Files.makeDirectories(directory + "/a/b")
        try Files.makeSymlink(directory + "/a/b/out", target: outside)
        try Files.removeTree(directory)
        #expect(Files.kind(directory) == nil)
        #expect(try Files.readFile(outside + "/keep") == [1])
        #expect(try Files.list(outside) == ["keep"])
    }

    /// accessRefusal says why access(2) refused (the route probe prints it); isWritable is built on it.
    @Test func accessRefusalIsTheErrnoOfTheRefusal() throws {
        let directory = temporaryDirectory("access")
        defer { try? Files.removeTree(directory) }
        try Files.createFile(directory + "/file", bytes: [])
        #expect(Files.accessRefusal(directory + "/file", R_OK | W_OK) == nil)
        #expect(Files.accessRefusal(directory + "/missing", R_OK) == ENOENT)
        #expect(Files.accessRefusal(directory + "/file/below", F_OK) == ENOTDIR)
        #expect(Files.isWritable(directory + "/file") && !Files.isWritable(directory + "/missing"))
    }

    @Test func seekMovesTheOffsetAndNamesLseekWhenItCannot() throws {
        let directory = temporaryDirectory("seek")
        defer { try? Files.removeTree(directory) }
        try Files.createFile(directory + "/file", bytes: Array("abcdef".utf8))
        let fd = try Files.open(directory + "/file", O_RDONLY)
        defer { Files.close(fd) }
        #expect(try Files.readToEnd(fd, path: "file") == Array("abcdef".utf8))
        try Files.seek(fd, to: 3, path: "file")
        #expect(try Files.readToEnd(fd, path: "file") == Array("def".utf8))
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { Files.close(ends[0]); Files.close(ends[1]) }
        #expect(throws: TestFileError(call: "lseek", path: "pipe", errno: ESPIPE)) { try Files.seek(ends[0], to: 0, path: "pipe") }
    }
}
