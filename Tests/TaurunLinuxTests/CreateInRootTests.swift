import Testing
import TaurunLinux

#if canImport(Glibc)
import Glibc
#endif

/// Mount targets are created and opened inside the rootfs whatever symlinks the image holds (CVE-2021-30465 class).
@Suite struct CreateInRootTests {
    let root: String
    let rootFD: Int32

    init() throws {
        var template = Array("/tmp/taurun-inroot-XXXXXX".utf8CString)
        let dir = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        root = String(cString: dir!)
        rootFD = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    }

    func cleanup() { close(rootFD); try? Files.removeTree(root) }

    /// The real path an fd points at.
    func realPath(_ fd: Int32) -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/fd/\(fd)", &buf, buf.count - 1)
        return n > 0 ? String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
    }

    @Test func createsMissingDirectoriesAndFiles() throws {
        defer { cleanup() }
        let dir = try Files.createInRoot(rootFD: rootFD, "a/b/c", directory: true, display: "/a/b/c")
        #expect(realPath(dir) == root + "/a/b/c")
        close(dir)
        let file = try Files.createInRoot(rootFD: rootFD, "a/f", directory: false, display: "/a/f")
        #expect(realPath(file) == root + "/a/f")
        #expect(!Files.isDirectory(root + "/a/f"))
        close(file)
    }

    @Test func absoluteSymlinkResolvesInsideTheRoot() throws {
        defer { cleanup() }
        mkdir(root + "/inside", 0o755)
        symlink("/inside", root + "/link")       // absolute: means <root>/inside, not the host's /inside
        let fd = try Files.createInRoot(rootFD: rootFD, "link/x", directory: true, display: "/link/x")
        defer { close(fd) }
        #expect(realPath(fd) == root + "/inside/x")
    }

    @Test func symlinkToAHostDirectoryNeverReachesIt() throws {
        defer { cleanup() }
        let outside = root + "-outside"
        mkdir(outside, 0o755)
        defer { try? Files.removeTree(outside) }
        symlink(outside, root + "/evil")         // exists on the host, not inside the root
        if let fd = try? Files.createInRoot(rootFD: rootFD, "evil/x", directory: true, display: "/evil/x") {
            #expect(realPath(fd).hasPrefix(root + "/"))
            close(fd)
        }
        #expect(!Files.exists(outside + "/x"))
    }

    @Test func dotDotCannotClimbOut() throws {
        defer { cleanup() }
        mkdir(root + "/tmp", 0o755)
        symlink("../../../../tmp", root + "/up")
        let fd = try Files.createInRoot(rootFD: rootFD, "up/../../etc/target", directory: true, display: "/up/../../etc/target")
        defer { close(fd) }
        #expect(realPath(fd) == root + "/etc/target")
        let fd2 = try Files.createInRoot(rootFD: rootFD, "up/x", directory: true, display: "/up/x")
        defer { close(fd2) }
        #expect(realPath(fd2) == root + "/tmp/x")
    }

    @Test func relativeSymlinkIsFollowedWithinTheRoot() throws {
        defer { cleanup() }
        mkdir(root + "/run", 0o755)
        mkdir(root + "/var", 0o755)
        symlink("../run", root + "/var/run")
        let fd = try Files.createInRoot(rootFD: rootFD, "var/run/shm", directory: true, display: "/var/run/shm")
        defer { close(fd) }
        #expect(realPath(fd) == root + "/run/shm")
    }
}
