#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import TauProvisioning
@testable import TauSandbox

/// Issue 14, item 16: a granted host path is reachable by exactly the apps granted it, through ACL entries for their
/// host uids that root sets without following anything an app could swap in, and takes back on revoke and uninstall.
/// Root only (setpriv, chown) and needs setfacl/getfacl (acl).
@Suite(.serialized) struct DataAccessTests {
    static let usable = TestSupport.isRoot && ACLTools.hasSetfaclAndGetfacl && FileSystem.kind("/usr/bin/setpriv") != nil

    static let one: UInt32 = 4_001_000
    static let two: UInt32 = 4_066_536

    static func can(_ uid: UInt32, _ flag: String, _ path: String) -> Bool {
        TestSupport.run("/usr/bin/setpriv", ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", "/usr/bin/test", flag, path]).status == 0
    }

    static func acl(_ path: String) -> String {
        TestSupport.run("/usr/bin/getfacl", ["-n", "-p", "-c", path]).output
    }

    /// <tmp>/shared (0700 root) with a file, a subdirectory with a file (both 0600), a symlink and a hard link to files
    /// outside.
    static func makeTree(_ tag: String) -> (directory: String, shared: String, outside: String) {
        let directory = TestSupport.temporaryDirectory(tag)
        let shared = directory + "/shared"
        _ = TestSupport.run("/bin/mkdir", ["-p", shared + "/sub"])
        chmod(shared, 0o700)
        TestSupport.write(shared + "/file", "f")
        TestSupport.write(shared + "/sub/inner", "i")
        for path in [shared + "/file", shared + "/sub/inner"] { chmod(path, 0o600) }
        let outside = directory + "/outside"
        TestSupport.write(outside, "secret")
        chmod(outside, 0o600)
        _ = symlink(outside, shared + "/sub/link")
        _ = link(outside, shared + "/hardlink")
        return (directory, shared, outside)
    }

    @Test(.enabled(if: DataAccessTests.usable, "needs root, setfacl, getfacl, setpriv"))
    func aGrantReachesTheWholeTreeAndNothingBeyondIt() throws {
        let (directory, shared, outside) = Self.makeTree("acltree")
        defer { TestSupport.remove(directory) }
        #expect(!Self.can(Self.one, "-r", shared + "/file"))
        #expect(try ACLTree.grant(shared, uid: Self.one, writable: true))
        for path in [shared, shared + "/sub"] {
            #expect(Self.acl(path).contains("user:\(Self.one):rwx") && Self.acl(path).contains("default:user:\(Self.one):rwx"), "\(path)")
        }
        #expect(Self.acl(shared + "/sub/inner").contains("user:\(Self.one):rw-"))
        #expect(Self.can(Self.one, "-w", shared + "/sub/inner"))
        // Neither the symlink's target nor the hard link's other name got an entry.
        #expect(!Self.acl(outside).contains("\(Self.one)"))
        #expect(!Self.can(Self.one, "-r", shared + "/hardlink"))

        try ACLTree.withdraw(shared, uid: Self.one)
        #expect(!Self.can(Self.one, "-r", shared + "/file"))
        for path in [shared, shared + "/sub", shared + "/file", shared + "/sub/inner"] {
            // No entry of ours, no mask, no default ACL: the mode means what it says again.
            #expect(!Self.acl(path).contains("user:\(Self.one)") && !Self.acl(path).contains("mask"), "\(path): \(Self.acl(path))")
        }
        #expect(try FileSystem.status(shared).st_mode & 0o7777 == 0o700)
    }

    @Test(.enabled(if: DataAccessTests.usable, "needs root, setfacl, getfacl, setpriv"))
    func withdrawingOneUidKeepsEveryOtherEntry() throws {
        let (directory, shared, _) = Self.makeTree("acltree-other")
        defer { TestSupport.remove(directory) }
        _ = TestSupport.run("/usr/bin/setfacl", ["-m", "u:4242:r", shared + "/file"])
        #expect(try ACLTree.grant(shared, uid: Self.one, writable: false))
        #expect(try ACLTree.grant(shared, uid: Self.two, writable: true))
        #expect(Self.acl(shared + "/file").contains("user:\(Self.one):r--"))
        try ACLTree.withdraw(shared, uid: Self.one)
        #expect(!Self.acl(shared).contains("user:\(Self.one)"))
        #expect(Self.acl(shared).contains("user:\(Self.two):rwx") && Self.can(Self.two, "-w", shared + "/file"))
        #expect(Self.acl(shared + "/file").contains("user:4242:r--"))
    }

    /// A granted path that became a symlink (anywhere along it) is never followed: a grant fails, a withdraw has
    /// nothing to do.
    @Test(.enabled(if: DataAccessTests.usable, "needs root, setfacl, getfacl, setpriv"))
    func aSymlinkOnTheWayIsNeverFollowed() throws {
        let (directory, shared, outside) = Self.makeTree("acltree-symlink")
        defer { TestSupport.remove(directory) }
        _ = symlink(directory, directory + "/detour")
        #expect(throws: SandboxError.io(call: "open", path: directory + "/detour/shared", errno: ELOOP)) {
            _ = try ACLTree.grant(directory + "/detour/shared", uid: Self.one, writable: true)
        }
        _ = symlink(outside, directory + "/file-link")
        #expect(throws: SandboxError.self) { _ = try ACLTree.grant(directory + "/file-link", uid: Self.one, writable: true) }
        try ACLTree.withdraw(directory + "/detour/shared", uid: Self.one)
        #expect(!Self.acl(shared).contains("\(Self.one)") && !Self.acl(outside).contains("\(Self.one)"))
    }

    @Test func getfaclBlocksWithoutNamedEntriesAreBareAndATruncatedLastBlockIsNot() {
        let output = "# file: /proc/self/fd/5; # owner: 0; # group: 0; user::rw-; group::r--; mask::r--; other::r--; ; "
            + "# file: /proc/self/fd/6; user::rwx; user:42:r-x; group::r-x; mask::r-x; other::---; ; "
            + "# file: /proc/self/fd/7; user::rwx; group::r-x; other::---; default:user::rwx; default:group:7:r-x; ; "
            + "# file: /proc/self/fd/8; user::rwx; group::r-x"
        let paths = (5...9).map { "/proc/self/fd/\($0)" }
        #expect(ACLTree.bare(getfaclOutput: output, truncated: false, among: paths) == ["/proc/self/fd/5", "/proc/self/fd/8"])
        #expect(ACLTree.bare(getfaclOutput: output, truncated: true, among: paths) == ["/proc/self/fd/5"])
    }

    /// What a revoke or reset leaves of each recorded grant: what the next convert would give.
    @Test func aRevokeLeavesWhatTheNextConvertWouldGive() throws {
        let app = try #require(AppID("org.tauos.test"))
        let rw = DataAccess.Grant(path: "/srv/x", writable: true), ro = DataAccess.Grant(path: "/srv/x", writable: false)
        var record = GrantRecord(app: app)
        record.grant(.filesystemReadWrite)
        #expect(DataAccess.surviving(rw, namedByManifest: true, record) == true)
        record.deny(.filesystemReadWrite)
        #expect(DataAccess.surviving(rw, namedByManifest: true, record) == false)  // ro stays granted
        record.deny(.filesystemReadOnly)
        #expect(DataAccess.surviving(rw, namedByManifest: true, record) == nil)
        #expect(DataAccess.surviving(ro, namedByManifest: false, record) == nil)
        record.forget(.filesystemReadOnly)
        // Back to ask: read-only access to --data needs no consent, to a path the manifest names it does.
        #expect(DataAccess.surviving(ro, namedByManifest: false, record) == false)
        #expect(DataAccess.surviving(ro, namedByManifest: true, record) == nil)
    }

    @Test(.enabled(if: DataAccessTests.usable, "needs root, setfacl, getfacl, setpriv"))
    func twoAppsShareAPathUntilOneIsRevoked() throws {
        let (directory, shared, _) = Self.makeTree("data-access")
        defer { TestSupport.remove(directory) }
        let state = directory + "/state"
        let a = try #require(AppID("org.tauos.a")), b = try #require(AppID("org.tauos.b"))
        for app in [a, b] { try FileSystem.makeDirectories(StateLayout.appDirectory(state, app), mode: 0o711) }
        let mount = DataMount(path: shared, writable: true, isDirectory: true)
        #expect(try DataAccess(stateDirectory: state, app: a, host: HostProvisioner()).apply([mount], uid: Self.one, mountUID: Self.one - 1000, namedByManifest: true).isEmpty)
        #expect(try DataAccess(stateDirectory: state, app: b, host: HostProvisioner()).apply([mount], uid: Self.two, mountUID: Self.two - 1000, namedByManifest: true).isEmpty)
        #expect(Self.can(Self.one, "-w", shared + "/file") && Self.can(Self.two, "-w", shared + "/file"))
        #expect(DataAccess(stateDirectory: state, app: a, host: HostProvisioner()).recorded().grants == [DataAccess.Grant(path: shared, writable: true)])
        // The runtime (the container's root) may read the mount source itself (crun opens it), and nothing below.
        #expect(Self.acl(shared).contains("user:\(Self.one - 1000):r-x"))
        #expect(!Self.acl(shared + "/sub").contains("user:\(Self.one - 1000)") && !Self.can(Self.one - 1000, "-r", shared + "/file"))

        // A repeat convert changes nothing; a read-only one loses write.
        _ = try DataAccess(stateDirectory: state, app: a, host: HostProvisioner()).apply([mount], uid: Self.one, mountUID: Self.one - 1000, namedByManifest: true)
        var readOnly = mount
        readOnly.writable = false
        _ = try DataAccess(stateDirectory: state, app: a, host: HostProvisioner()).apply([readOnly], uid: Self.one, mountUID: Self.one - 1000, namedByManifest: true)
        #expect(Self.can(Self.one, "-r", shared + "/file") && !Self.can(Self.one, "-w", shared + "/file"))

        var refused = GrantRecord(app: a)
        refused.deny(.filesystemReadOnly)
        try DataAccess.withdraw(stateDirectory: state, app: a, keeping: refused, host: HostProvisioner())
        #expect(!Self.can(Self.one, "-r", shared + "/file"))
        #expect(!Self.acl(shared + "/sub/inner").contains("user:\(Self.one)") && !Self.acl(shared).contains("user:\(Self.one - 1000)"))
        #expect(Self.can(Self.two, "-w", shared + "/sub/inner"))
        #expect(FileSystem.kind(DataAccess(stateDirectory: state, app: a, host: HostProvisioner()).recordPath) == nil)

        #expect(try DataAccess.withdrawAll(stateDirectory: state, app: b, host: HostProvisioner()) == 1)
        #expect(!Self.acl(shared).contains("user:\(Self.two)") && !Self.acl(shared).contains("mask"))
    }
}
