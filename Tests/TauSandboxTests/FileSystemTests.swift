#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import TauSandbox

/// FileSystem helpers on every convert's path.
struct FileSystemTests {
    @Test(arguments: [
        ("/a/b", "/x", "/a/b"), ("b/c", "/a", "/a/b/c"), ("./b/./c/", "/a", "/a/b/c"), ("../b", "/a/x", "/a/b"),
        ("../../..", "/a", "/"), ("/", "/a", "/"), ("", "/a//b/", "/a/b"), ("..b/.c", "/", "/..b/.c"), ("//a///b", "/", "/a/b"),
        ("é/../ü", "/ß", "/ß/ü"),
    ])
    func absoluteResolvesLexically(path: String, base: String, expected: String) {
        #expect(FileSystem.absolute(path, relativeTo: base) == expected)
    }

    @Test func readFileReadsWholeFilesProcFilesAndRefusesPastTheLimit() throws {
        let directory = TestSupport.temporaryDirectory("readfile")
        defer { TestSupport.remove(directory) }
        let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try FileSystem.createFile(directory + "/big", bytes: big)
        try FileSystem.createFile(directory + "/empty", bytes: [])
        #expect(try FileSystem.readFile(directory + "/big") == big)
        #expect(try FileSystem.readFile(directory + "/big", limit: 200_000) == big)
        #expect(try FileSystem.readFile(directory + "/empty") == [])
        #expect(throws: SandboxError.io(call: "read", path: directory + "/big", errno: EFBIG)) {
            try FileSystem.readFile(directory + "/big", limit: 199_999)
        }
        // /proc reports size 0; the content still comes through whole (more than one 4 KiB step).
        let maps = try FileSystem.readFile("/proc/self/maps")
        #expect(maps.count > 4096 && maps.last == UInt8(ascii: "\n"))
        #expect(throws: SandboxError.io(call: "open", path: directory + "/missing", errno: ENOENT)) {
            try FileSystem.readFile(directory + "/missing")
        }
    }
}
