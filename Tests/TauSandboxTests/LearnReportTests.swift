import Testing
import TaurunAudit
@testable import TauSandbox
import TaurunSupport

/// `taurun learn`'s conclusions from what the monitor recorded: which permissions were used and not requested (with
/// the calls as evidence), used but refused by the user, never used; calls no permission allows;
/// resource peaks against limits; and the change that follows.
@Suite struct LearnReportTests {
    static func manifest(_ toml: String) throws -> Manifest {
        try ManifestLoader.parse(bytes: Array(("id = \"org.example.learn\"\ncommand = [\"/bin/app\"]\n" + toml).utf8), format: .tauToml, path: "tau.toml")
    }

    static func call(_ syscall: String, _ args: [UInt64], permission: String?, path: String? = nil, action: String = "denied") -> AuditEvent {
        AuditEvent(event: .learn, app: "org.example.learn", container: "c", pid: 7, permission: permission, syscall: syscall,
                   args: args, path: path, action: action, message: "m", time: "2026-12-07T00:00:00.000Z")
    }

    static let limits = ResourceLimits(memoryBytes: 256 << 20, pids: 64)
    static let ceilings = ResourcePolicy.builtIn.ceilings

    @Test func aSocketWithoutNetworkIsAMissingPermissionWithItsCallsAsEvidence() throws {
        let report = LearnReport(
            manifest: try Self.manifest(""), granted: [], limits: Self.limits, ceilings: Self.ceilings,
            calls: [
                Self.call("socket", [2, 1, 0], permission: "network"),
                Self.call("socket", [2, 0x80001, 0], permission: "network"),  // SOCK_STREAM|SOCK_CLOEXEC: the same call
                Self.call("socket", [10, 2, 0], permission: "network"),
            ],
            usage: ResourcePeaks())
        #expect(report.missing == [LearnReport.Use(permission: .network, evidence: ["socket(AF_INET, SOCK_STREAM)", "socket(AF_INET6, SOCK_DGRAM)"])])
        #expect(report.refused.isEmpty && report.used.isEmpty && report.unused.isEmpty)
        #expect(report.change == ManifestChange(addPermissions: [.network]))
    }

    @Test func aRequestedPermissionTheUserRefusedNeedsAGrantNotAManifestChange() throws {
        let report = LearnReport(
            manifest: try Self.manifest("[permissions]\nnetwork = true\n"), granted: [], limits: Self.limits, ceilings: Self.ceilings,
            calls: [Self.call("socket", [2, 1, 0], permission: "network")], usage: ResourcePeaks())
        #expect(report.refused.map(\.permission) == [.network])
        #expect(report.missing.isEmpty)
        #expect(report.change.isEmpty)
    }

    @Test func grantedUsesAreUsedAndRequestsNeverSeenAreUnused() throws {
        let granted = try Self.manifest("[permissions]\nnetwork = true\ncamera = true\n")
        let used = LearnReport(
            manifest: granted, granted: [.network, .camera], limits: Self.limits, ceilings: Self.ceilings,
            calls: [Self.call("socket", [10, 1, 0], permission: "network", action: "allowed")], usage: ResourcePeaks())
        #expect(used.used == [LearnReport.Use(permission: .network, evidence: ["socket(AF_INET6, SOCK_STREAM)"])])
        #expect(used.unused == [.camera])
        let idle = LearnReport(manifest: granted, granted: [.network, .camera], limits: Self.limits, ceilings: Self.ceilings, calls: [], usage: ResourcePeaks())
        #expect(idle.unused == [.network, .camera])
        #expect(idle.change.isEmpty)
    }

    /// The paths learn's monitor read: a device, a display socket and a host file, each the evidence of its
    /// permission, shown as the call with its path and open flags.
    @Test func devicesSocketsAndHostFilesAreEvidenceByTheirPaths() throws {
        let report = LearnReport(
            manifest: try Self.manifest("[permissions]\ncamera = true\n"), granted: [.camera], limits: Self.limits, ceilings: Self.ceilings,
            calls: [
                Self.call("openat", [0xFFFF_FF9C, 0x7000, 2, 0], permission: "camera", path: "/dev/video0", action: "allowed"),
                Self.call("connect", [3, 0x7100, 27], permission: "display", path: "/run/user/1000/wayland-0"),
                Self.call("openat", [0xFFFF_FF9C, 0x7200, 0, 0], permission: "filesystem:ro", path: "/srv/media/a.ogg"),
            ],
            usage: ResourcePeaks())
        #expect(report.used == [LearnReport.Use(permission: .camera, evidence: ["openat(\"/dev/video0\", O_RDWR)"])])
        #expect(report.missing == [
            LearnReport.Use(permission: .display, evidence: ["connect(AF_UNIX, \"/run/user/1000/wayland-0\")"]),
            LearnReport.Use(permission: .filesystemReadOnly, evidence: ["openat(\"/srv/media/a.ogg\", O_RDONLY)"]),
        ])
        #expect(report.change == ManifestChange(addPermissions: [.display, .filesystemReadOnly]))
        // A host file where no app is ever given one is no permission's: it is named, with what to do instead.
        let system = LearnReport(
            manifest: try Self.manifest(""), granted: [], limits: Self.limits, ceilings: Self.ceilings,
            calls: [Self.call("openat", [0xFFFF_FF9C, 0x7200, 0, 0], permission: "filesystem:ro", path: "/etc/localtime")],
            usage: ResourcePeaks())
        #expect(system.missing.isEmpty && system.change.isEmpty)
        #expect(system.notAllowed == [LearnReport.Refusal(
            call: "openat(\"/etc/localtime\", O_RDONLY)", reason: "/etc is never given to an app: ship the file in the app's rootfs")])
    }

    /// One filesystem mode: reads count as uses of a requested (or also used) read-write access.
    @Test func readsFoldIntoReadWriteWhenThatIsRequestedOrAlsoUsed() throws {
        let read = Self.call("open", [0x7000, 0], permission: "filesystem:ro", path: "/srv/a")
        let write = Self.call("open", [0x7000, 0o101], permission: "filesystem:rw", path: "/srv/b")
        let requested = LearnReport(
            manifest: try Self.manifest("[permissions]\nfilesystem = \"rw\"\n"), granted: [.filesystemReadWrite], limits: Self.limits,
            ceilings: Self.ceilings, calls: [read], usage: ResourcePeaks())
        #expect(requested.used.map(\.permission) == [.filesystemReadWrite] && requested.unused.isEmpty && requested.missing.isEmpty)
        let both = LearnReport(
            manifest: try Self.manifest(""), granted: [], limits: Self.limits, ceilings: Self.ceilings, calls: [read, write], usage: ResourcePeaks())
        #expect(both.missing == [LearnReport.Use(permission: .filesystemReadWrite, evidence: ["open(\"/srv/b\", O_WRONLY|O_CREAT)", "open(\"/srv/a\", O_RDONLY)"])])
        #expect(both.change == ManifestChange(addPermissions: [.filesystemReadWrite]))
    }

    @Test func callsNoPermissionAllowsAreListedOnceWithTheirReasonAndChangeNothing() throws {
        let report = LearnReport(
            manifest: try Self.manifest(""), granted: [], limits: Self.limits, ceilings: Self.ceilings,
            calls: [
                Self.call("unshare", [0x10000000], permission: nil),
                Self.call("unshare", [0x10000000], permission: nil),
                Self.call("keyctl", [0, 0, 0, 0, 0], permission: nil),
            ],
            usage: ResourcePeaks())
        #expect(report.notAllowed.first == LearnReport.Refusal(call: "unshare(CLONE_NEWUSER)", reason: "apps cannot create namespaces"))
        #expect(report.notAllowed.last?.reason == "apps cannot use the kernel keyring")
        #expect(report.notAllowed.count == 2)
        #expect(report.missing.isEmpty && report.change.isEmpty)
    }

    @Test func aLimitTheAppRanIntoIsDoubledWithinTheCeilingAndPeaksBelowChangeNothing() throws {
        let manifest = try Self.manifest("")
        let calm = LearnReport(manifest: manifest, granted: [], limits: Self.limits, ceilings: Self.ceilings, calls: [],
                               usage: ResourcePeaks(memoryBytes: 3 << 20, oomKills: 0, pids: 3, pidsLimitHits: 0))
        #expect(calm.resources == [
            LearnReport.Resource(kind: .memory, peak: 3 << 20, limit: 256 << 20, reached: false, proposed: nil, atCeiling: false),
            LearnReport.Resource(kind: .pids, peak: 3, limit: 64, reached: false, proposed: nil, atCeiling: false),
        ])
        #expect(calm.change.isEmpty)
        let starved = LearnReport(manifest: manifest, granted: [], limits: Self.limits, ceilings: Self.ceilings, calls: [],
                                  usage: ResourcePeaks(memoryBytes: 256 << 20, oomKills: 1, pids: 64, pidsLimitHits: 12))
        #expect(starved.change == ManifestChange(memoryBytes: 512 << 20, pids: 128))
        let ceilings = ResourceLimits(memoryBytes: 384 << 20, pids: 64)
        let capped = LearnReport(manifest: manifest, granted: [], limits: Self.limits, ceilings: ceilings, calls: [],
                                 usage: ResourcePeaks(memoryBytes: 256 << 20, oomKills: 1, pids: 64, pidsLimitHits: 1))
        #expect(capped.change == ManifestChange(memoryBytes: 384 << 20))
        #expect(capped.resources.last?.atCeiling == true)
    }

    @Test func theReportPrintsEverySectionAndItsJSONCarriesTheSame() throws {
        let report = LearnReport(
            manifest: try Self.manifest("[permissions]\ncamera = true\n"), granted: [.camera], limits: Self.limits, ceilings: Self.ceilings,
            calls: [Self.call("socket", [2, 1, 0], permission: "network"), Self.call("mount", [0, 0, 0, 0x1000, 0], permission: nil)],
            usage: ResourcePeaks(memoryBytes: 3_250_000, pids: 2))
        let run = LearnReport.Run(app: "org.example.learn", manifestPath: "tau.toml", format: .tauToml, exitCode: 1,
                                  interrupted: false, diff: "--- tau.toml\n+++ tau.toml\n", written: true)
        let text = report.text(run)
        #expect(text.contains("taurun learn: org.example.learn exited with status 1\n"))
        #expect(text.contains("used, not requested by the manifest:\n  network: socket(AF_INET, SOCK_STREAM)\n"))
        #expect(text.contains("requested, never used in this run: camera\n"))
        #expect(text.contains("  mount(0x0, 0x0, 0x0, MS_BIND, 0x0): apps cannot mount filesystems\n"))
        #expect(text.contains("  memory: peak 3.1M of 256M\n  pids: peak 2 of 64\n"))
        #expect(text.hasSuffix("manifest change that lets it run:\n--- tau.toml\n+++ tau.toml\nwrote tau.toml\n"))
        let json = try #require(try JSONParser.parse(Array(report.json(run).utf8)))
        #expect(json["missing"] == .array([.object([("permission", .string("network")), ("evidence", .array([.string("socket(AF_INET, SOCK_STREAM)")]))])]))
        #expect(json["change"]?["add_permissions"] == .array([.string("network")]))
        #expect(json["unused"] == .array([.string("camera")]) && json["not_observable"] == nil)
        #expect(json["resources"] == .array([
            .object([("resource", .string("memory")), ("peak", .number("3250000")), ("limit", .number("268435456")),
                     ("reached", .bool(false)), ("proposed", .null), ("at_ceiling", .bool(false))]),
            .object([("resource", .string("pids")), ("peak", .number("2")), ("limit", .number("64")),
                     ("reached", .bool(false)), ("proposed", .null), ("at_ceiling", .bool(false))]),
        ]))
        #expect(json["written"] == .bool(true) && json["exit_code"] == .number("1") && json["interrupted"] == .bool(false))
        #expect(json["edit_error"] == .null)
        // A change the editor could not make is named, with why, instead of diffed.
        var uneditable = run
        uneditable.diff = ""
        uneditable.written = false
        uneditable.editError = "E_MANIFEST: tau.toml: add it by hand"
        #expect(report.text(uneditable).hasSuffix("manifest change that lets it run: network; not made: E_MANIFEST: tau.toml: add it by hand\n"))
        let failed = try #require(try JSONParser.parse(Array(report.json(uneditable).utf8)))
        #expect(failed["edit_error"] == .string("E_MANIFEST: tau.toml: add it by hand") && failed["diff"] == .string(""))
    }
}
