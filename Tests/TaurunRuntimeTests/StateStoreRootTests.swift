import Testing
import TaurunAudit
import TaurunLinux
@testable import TaurunRuntime

#if canImport(Glibc)
import Glibc
#endif

/// The state root must be private: a symlink, a non-directory, someone else's directory or one that group or
/// others can write is refused before anything in it is read or written.
@Suite struct StateStoreRootTests {
    @Test func rootProblems() {
        #expect(PrivateDirectory.problem(mode: 0o040700, owner: 0, euid: 0) == nil)
        #expect(PrivateDirectory.problem(mode: 0o040711, owner: 0, euid: 0) == nil)
        #expect(PrivateDirectory.problem(mode: 0o040700, owner: 1000, euid: 1000) == nil)
        #expect(PrivateDirectory.problem(mode: 0o040755, owner: 0, euid: 1000) == nil)
        #expect(PrivateDirectory.problem(mode: 0o120777, owner: 0, euid: 0) == "is a symlink")
        #expect(PrivateDirectory.problem(mode: 0o100600, owner: 0, euid: 0) == "is not a directory")
        #expect(PrivateDirectory.problem(mode: 0o040700, owner: 65534, euid: 0)?.contains("uid 65534") == true)
        #expect(PrivateDirectory.problem(mode: 0o040777, owner: 0, euid: 0)?.contains("writable") == true)
        #expect(PrivateDirectory.problem(mode: 0o041777, owner: 0, euid: 0)?.contains("writable") == true)
        #expect(PrivateDirectory.problem(mode: 0o040775, owner: 0, euid: 0)?.contains("writable") == true)
    }

    @Test func aSymlinkedRootIsRefusedByEveryEntryPoint() throws {
        var template = Array("/tmp/taurun-root-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        let dir = String(cString: made!)
        defer { try? Files.removeTree(dir) }
        #expect(mkdir(dir + "/real", 0o700) == 0)
        #expect(symlink(dir + "/real", dir + "/link") == 0)
        let store = StateStore(root: dir + "/link")
        #expect(throws: RuntimeError.self) { try store.checkRoot() }
        #expect(throws: RuntimeError.self) { _ = try store.reserve("c1") }
        #expect(throws: RuntimeError.self) { _ = try store.load("c1") }
        #expect(throws: RuntimeError.self) { _ = try store.lock("c1") }
        #expect(throws: RuntimeError.self) { _ = try store.ids() }
        #expect(Files.list(dir + "/real").isEmpty)
        // A missing root is fine (nothing to trust yet); reserve makes it 0700.
        let fresh = StateStore(root: dir + "/new/root")
        try fresh.checkRoot()
        let lock = try fresh.reserve("c1")
        lock.release()
        var st = stat()
        #expect(stat(dir + "/new/root", &st) == 0 && st.st_mode & 0o777 == 0o700)
    }
}
