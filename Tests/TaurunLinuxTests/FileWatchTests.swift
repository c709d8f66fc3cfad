import Testing
import TaurunLinux

#if canImport(Glibc)
import Glibc
#endif

/// The inotify descriptor the cgroup v2 OOM notifier waits on: readable once the watched file is modified.
@Suite struct FileWatchTests {
    @Test func theDescriptorBecomesReadableWhenTheFileIsModified() throws {
        var template = Array("/tmp/taurun-filewatch-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        let dir = String(cString: made!)
        defer { try? Files.removeTree(dir) }
        let file = dir + "/memory.events"
        try Files.writeAtomically(file, Array("oom_kill 0\n".utf8))
        let fd = try FileWatch.modifications(of: file)
        defer { Files.close(fd) }
        #expect(try Readiness.wait([fd], timeoutMilliseconds: 0) == [.quiet])
        let writer = try Files.open(file, O_WRONLY | O_APPEND)
        try Files.writeAll(fd: writer, Array("oom_kill 1\n".utf8), path: file)
        Files.close(writer)
        #expect(try Readiness.wait([fd], timeoutMilliseconds: 1000) == [.readable])
    }

    @Test func aMissingFileIsAnErrorOfInotifyAddWatchNamingIt() {
        #expect(throws: SyscallError("inotify_add_watch", "/nonexistent/memory.events", rawErrno: ENOENT)) {
            try FileWatch.modifications(of: "/nonexistent/memory.events")
        }
    }
}
