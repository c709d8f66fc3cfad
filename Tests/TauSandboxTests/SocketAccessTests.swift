#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import TauProvisioning
@testable import TauSandbox

/// Session sockets in a 0700 runtime directory (a fake /run/user/1000): convert gives the app's ids exactly the ACL
/// entries they need, and revoking takes them back. Root only (chown, setpriv) and needs setfacl/getfacl (acl).
@Suite(.serialized) struct SocketAccessTests {
    static let usable = TestSupport.isRoot && ACLTools.hasSetfacl && FileSystem.kind("/usr/bin/getfacl") != nil
        && FileSystem.kind("/usr/bin/setpriv") != nil

    static let base: UInt32 = 3_000_000
    static let appUID: UInt32 = base + IDAllocator.appID

    struct Session {
        var directory: String
        var runtime: String
        var wayland: String
        var pulse: String
    }

    /// <tmp>/run/user/1000 (0700, uid 1000) with wayland-0 (0755) and pulse/native (pulse/ 0700, socket 0777).
    static func makeSession(_ tag: String) -> Session {
        let directory = TestSupport.temporaryDirectory(tag)
        let runtime = directory + "/run/user/1000"
        _ = TestSupport.run("/bin/mkdir", ["-p", runtime + "/pulse"])
        for path in [runtime, runtime + "/pulse"] {
            chmod(path, 0o700)
            chown(path, 1000, 1000)
        }
        let session = Session(directory: directory, runtime: runtime, wayland: runtime + "/wayland-0", pulse: runtime + "/pulse/native")
        for (path, mode) in [(session.wayland, mode_t(0o755)), (session.pulse, mode_t(0o777))] {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                for (index, byte) in path.utf8.enumerated() where index < buffer.count - 1 { buffer[index] = byte }
            }
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            close(fd)
            chmod(path, mode)
            chown(path, 1000, 1000)
        }
        return session
    }

    /// Whether `uid` (no groups) passes `test FLAG path` on the host.
    static func can(_ uid: UInt32, _ flag: String, _ path: String) -> Bool {
        TestSupport.run("/usr/bin/setpriv", ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", "/usr/bin/test", flag, path]).status == 0
    }

    static func acl(_ path: String) -> String {
        TestSupport.run("/usr/bin/getfacl", ["-n", "-p", "-c", path]).output
    }

    /// An ACL entry for a specific user ("user:UID:…", not the owner's "user::…").
    static func hasNamedUser(_ path: String) -> Bool {
        acl(path).split(separator: ";").contains { $0.trimmingPrefix(" ").hasPrefix("user:") && !$0.trimmingPrefix(" ").hasPrefix("user::") }
    }

    static func sockets(_ session: Session) -> [HostSocket] {
        [
            HostSocket(role: .wayland, hostPath: session.wayland, containerPath: "/run/user/1000/wayland-0", environment: [:]),
            HostSocket(role: .pulseAudio, hostPath: session.pulse, containerPath: "/run/user/1000/pulse/native", environment: [:]),
        ]
    }

    @Test(.enabled(if: SocketAccessTests.usable, "needs root, setfacl, getfacl, setpriv"))
    func grantedSocketsGetTraversalAndConnectAndNothingMore() throws {
        let session = Self.makeSession("sockets")
        defer { TestSupport.remove(session.directory) }
        let app = try #require(AppID("org.tauos.sockets"))
        let state = session.directory + "/state"
        try FileSystem.makeDirectories(StateLayout.appDirectory(state, app), mode: 0o711)
        let access = SocketAccess(stateDirectory: state, app: app, mountUID: Self.base, appUID: Self.appUID, host: HostProvisioner())
        #expect(!Self.can(Self.base, "-e", session.wayland))

        let entries = access.entries(for: Self.sockets(session))
        #expect(entries == [
            .init(path: session.runtime, uid: Self.base, permissions: "x"),
            .init(path: session.wayland, uid: Self.appUID, permissions: "rw"),
            .init(path: session.runtime + "/pulse", uid: Self.base, permissions: "x"),
        ])
        try access.apply(Self.sockets(session))
        // The runtime (container root) can resolve both mount sources, and only search: no listing, no connect.
        #expect(Self.can(Self.base, "-e", session.wayland) && Self.can(Self.base, "-e", session.pulse))
        #expect(!Self.can(Self.base, "-r", session.runtime))
        #expect(!Self.can(Self.base, "-w", session.wayland))
        // The app's own uid gets write on the Wayland socket (connect), nothing on the directories.
        #expect(Self.acl(session.wayland).contains("user:\(Self.appUID):rw-"))
        #expect(!Self.acl(session.runtime).contains("\(Self.appUID)"))
        #expect(!Self.can(Self.appUID, "-e", session.wayland))
        // Applying again changes nothing (a repeat convert).
        try access.apply(Self.sockets(session))
        #expect(Self.acl(session.runtime).components("user:\(Self.base):--x") == 1)

        // display revoked, audio kept: the Wayland entry goes, the directory search stays for pulse.
        var record = GrantRecord(app: app, granted: [.audio])
        record.deny(.display)
        try SocketAccess.withdraw(stateDirectory: state, app: app, keeping: record, host: HostProvisioner())
        #expect(!Self.acl(session.wayland).contains("\(Self.appUID)"))
        #expect(Self.can(Self.base, "-e", session.pulse))
        #expect(access.recorded().sockets.map(\.role) == [.pulseAudio])

        // Everything revoked: no entry and no mask left, the directory is plain 0700 again, the record is gone.
        record.deny(.audio)
        try SocketAccess.withdraw(stateDirectory: state, app: app, keeping: record, host: HostProvisioner())
        #expect(!Self.can(Self.base, "-e", session.pulse))
        for path in [session.runtime, session.runtime + "/pulse", session.wayland] {
            #expect(!Self.hasNamedUser(path), "\(path): \(Self.acl(path))")
            #expect(!Self.acl(path).contains("mask"), "\(path)")
        }
        #expect(try FileSystem.status(session.runtime).st_mode & 0o7777 == 0o700)
        #expect(FileSystem.kind(access.recordPath) == nil)
    }

    @Test(.enabled(if: SocketAccessTests.usable, "needs root, setfacl, getfacl, setpriv"))
    func withoutAUserNamespaceOnlyTheSocketNeedsAnEntry() throws {
        let session = Self.makeSession("sockets-none")
        defer { TestSupport.remove(session.directory) }
        let app = try #require(AppID("org.tauos.plain"))
        let access = SocketAccess(stateDirectory: session.directory + "/state", app: app, mountUID: nil, appUID: Self.appUID, host: HostProvisioner())
        #expect(access.entries(for: Self.sockets(session)) == [.init(path: session.wayland, uid: Self.appUID, permissions: "rw")])
    }

    @Test(.enabled(if: SocketAccessTests.usable, "needs root, setfacl, getfacl, setpriv"))
    func convertGivesAccessAndRevokeTakesItBack() throws {
        let session = Self.makeSession("sockets-convert")
        defer { TestSupport.remove(session.directory) }
        let rootfs = TestSupport.makeRootfs(in: session.directory)
        let manifest = session.directory + "/tau.toml"
        TestSupport.write(manifest, "id = \"org.tauos.draw\"\ncommand = [\"/bin/sh\"]\n[permissions]\ndisplay = true\n")
        let state = session.directory + "/state"
        let options = ConvertOptions(
            manifestPath: manifest, bundlePath: session.directory + "/bundle", rootfs: rootfs, grants: [.display], stateDirectory: state,
            environment: ["XDG_RUNTIME_DIR": session.runtime, "WAYLAND_DISPLAY": "wayland-0"])
        let result = try AppInstaller.convert(options, prompter: NoPrompter?.none)
        let config = try #require(TestSupport.read(session.directory + "/bundle/config.json"))
        #expect(config.contains("\"source\": \"\(session.wayland)\""))
        #expect(Self.can(result.hostIDBase, "-e", session.wayland))
        #expect(Self.acl(session.wayland).contains("user:\(result.hostUID):rw-"))

        let app = try #require(AppID("org.tauos.draw"))
        let record = try GrantStore(stateDirectory: state).update(app) { $0.deny(.display) }
        try SocketAccess.withdraw(stateDirectory: state, app: app, keeping: record, host: HostProvisioner())
        #expect(!Self.can(result.hostIDBase, "-e", session.wayland))
        #expect(!Self.hasNamedUser(session.wayland))
    }
}

extension String {
    /// How many times `needle` occurs.
    fileprivate func components(_ needle: String) -> Int {
        var count = 0
        var rest = self[...]
        while let range = rest.firstRange(of: needle) {
            count += 1
            rest = rest[range.upperBound...]
        }
        return count
    }
}
