#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import TauProvisioning
import TauSandbox

/// The host side effects TauSandbox asks for, where they can be checked without root: the helper spawn with stdin,
/// the AppArmor profile taken out through a securityfs of the test's own, and mountinfo's escapes.
@Suite struct HostProvisionerTests {
    static func temporaryDirectory() -> String {
        var template = Array("/tmp/tauprovisioning-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func write(_ path: String, _ text: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        precondition(fd >= 0, "open \(path)")
        _ = Array(text.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = Glibc.read(fd, &buffer, buffer.count)
        return String(decoding: buffer[0..<max(count, 0)], as: UTF8.self)
    }

    @Test func aHelperReadsItsInputAndItsOutputIsJoined() throws {
        let echoed = try HelperCommand.run("cat", [], input: Array("line one\nline two\n".utf8))
        #expect(echoed.status == 0)
        #expect(echoed.output == "line one; line two")
        let failed = try HelperCommand.run("sh", ["-c", "echo oops >&2; exit 3"])
        #expect(failed.status == 3 && failed.output == "oops")
        #expect(throws: SandboxError.toolFailed(tool: "false", arguments: [], status: 1, output: "")) {
            try HelperCommand.check("false", [])
        }
        #expect(throws: SandboxError.self) { try HelperCommand.run("taurun-no-such-helper", []) }
    }

    @Test func theProfileIsUnloadedByNameOnlyWhenLoaded() throws {
        let securityfs = Self.temporaryDirectory()
        defer { _ = try? HelperCommand.run("rm", ["-rf", securityfs]) }
        #expect(mkdir(securityfs + "/apparmor", 0o755) == 0)
        Self.write(securityfs + "/apparmor/profiles", "taurun-org.tauos.other (enforce)\ntaurun-org.tauos.aa (enforce)\n")
        Self.write(securityfs + "/apparmor/.remove", "")
        let host = HostProvisioner(securityfs: securityfs)
        #expect(try host.unloadAppArmorProfile(named: "taurun-org.tauos.aa"))
        #expect(Self.read(securityfs + "/apparmor/.remove") == "taurun-org.tauos.aa")
        #expect(try !host.unloadAppArmorProfile(named: "taurun-org.tauos.a"))
        #expect(try !HostProvisioner(securityfs: securityfs + "/none").unloadAppArmorProfile(named: "taurun-org.tauos.aa"))
    }

    @Test func mountPointsAreReadWithTheirEscapes() throws {
        let directory = Self.temporaryDirectory()
        defer { _ = try? HelperCommand.run("rm", ["-rf", directory]) }
        Self.write(directory + "/mountinfo", "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n90 22 7:0 / /srv/a\\040home rw - ext4 /dev/loop0 rw\n")
        #expect(QuotaImage.isMountPoint("/srv/a home", mountinfo: directory + "/mountinfo"))
        #expect(!QuotaImage.isMountPoint("/srv/a", mountinfo: directory + "/mountinfo"))
        #expect(QuotaImage.isMountPoint("/"))
    }

    /// Without root or without loop devices, an image that is not a regular file is refused before anything else.
    @Test func aQuotaImageThatIsNotAFileIsRefused() throws {
        let directory = Self.temporaryDirectory()
        defer { _ = try? HelperCommand.run("rm", ["-rf", directory]) }
        let app = try #require(AppID("org.tauos.quota"))
        #expect(mkdir(directory + "/home.img", 0o700) == 0)
        #expect(throws: SandboxError.policyDenied(reason: "\(directory)/home.img exists and is not a regular file")) {
            try HostProvisioner().checkHome(AppHome(
                app: app, path: directory + "/home", image: directory + "/home.img", hostUID: 401_000, diskBytes: 1 << 20,
                caller: Caller(uid: 0, gid: 0, name: "root")))
        }
    }

    /// Root's home of an app: its host uid's, 0700, with a 0700 tmp/ of its own; a tmp/ the app swapped for a
    /// symlink is left as it is, and nothing it points to is changed.
    @Test(.enabled(if: geteuid() == 0, "chown needs root"))
    func aHomeIsTheAppsAloneAndItsSymlinksAreNotFollowed() throws {
        let directory = Self.temporaryDirectory()
        defer { _ = try? HelperCommand.run("rm", ["-rf", directory]) }
        let app = try #require(AppID("org.tauos.home"))
        let home = AppHome(app: app, path: directory + "/home", image: directory + "/home.img", hostUID: 401_000,
                           diskBytes: nil, caller: Caller(uid: 0, gid: 0, name: "root"))
        try HostProvisioner().provisionHome(home)
        var info = stat()
        #expect(lstat(home.path, &info) == 0 && info.st_uid == 401_000 && info.st_gid == 401_000 && info.st_mode & 0o7777 == 0o700)
        #expect(lstat(home.path + "/tmp", &info) == 0 && info.st_uid == 401_000 && info.st_mode & 0o7777 == 0o700)

        #expect(rmdir(home.path + "/tmp") == 0)
        #expect(mkdir(directory + "/target", 0o755) == 0)
        #expect(symlink(directory + "/target", home.path + "/tmp") == 0)
        try HostProvisioner().provisionHome(home)
        #expect(lstat(directory + "/target", &info) == 0 && info.st_uid == 0 && info.st_mode & 0o7777 == 0o755)
    }
}
