#if canImport(Glibc)
import Glibc
#endif
import Testing
import TaurunOCI
@testable import TauProvisioning
@testable import TauSandbox

/// `taurun uninstall` (issue 14, item 13): everything convert provisioned for the app goes, nothing another app uses
/// does, and nothing goes while the app runs. Root only (convert chowns the home).
@Suite(.serialized) struct UninstallTests {
    static func options(_ directory: String, id: String, rootfs: String) -> ConvertOptions {
        let manifest = directory + "/\(id).toml"
        TestSupport.write(manifest, "id = \"\(id)\"\nversion = \"1.0\"\ncommand = [\"/bin/sh\"]\n[permissions]\nnetwork = true\n")
        return ConvertOptions(
            manifestPath: manifest, bundlePath: directory + "/\(id)", rootfs: rootfs, grants: [.network], stateDirectory: directory + "/state")
    }

    static func uninstaller(_ state: String, _ id: String, securityfs: String = "/nonexistent") throws -> AppUninstaller {
        AppUninstaller(stateDirectory: state, app: try #require(AppID(id)), host: HostProvisioner(securityfs: securityfs))
    }

    static func skeleton(_ bundle: String) throws -> String {
        try #require(try Spec.decode(FileSystem.readFile(bundle + "/config.json")).root?.path)
    }

    @Test(.enabled(if: TestSupport.isRoot, "convert needs root"))
    func everythingOfTheAppGoesAndWhatAnotherAppUsesStays() throws {
        let directory = TestSupport.temporaryDirectory("uninstall")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        let state = directory + "/state"
        let one = Self.options(directory, id: "org.tauos.one", rootfs: rootfs)
        let two = Self.options(directory, id: "org.tauos.two", rootfs: rootfs)
        let first = try AppInstaller.convert(one, prompter: NoPrompter?.none)
        let second = try AppInstaller.convert(two, prompter: NoPrompter?.none)
        var again = one
        again.bundlePath = directory + "/one-again"
        _ = try AppInstaller.convert(again, prompter: NoPrompter?.none)
        let shared = try Self.skeleton(one.bundlePath)
        #expect(try Self.skeleton(two.bundlePath) == shared)

        let uninstaller = try Self.uninstaller(state, "org.tauos.one")
        let inventory = try uninstaller.inventory()
        #expect(inventory.hostIDBase == first.hostIDBase && inventory.home == first.homePath)
        try uninstaller.requireStopped(inventory, containers: [])
        let report = try uninstaller.uninstall(inventory, keepData: false)
        #expect(report.removed.contains("2 bundles (\(again.bundlePath), \(one.bundlePath))"))
        #expect(report.removed.contains("home \(first.homePath)") && report.removed.contains("grants"))
        #expect(report.consentChanges == [ConsentChange(permission: .network, old: true, new: nil, via: "uninstall")])
        for gone in [one.bundlePath, again.bundlePath, state + "/apps/org.tauos.one", state + "/grants/org.tauos.one.json"] {
            #expect(FileSystem.kind(gone) == nil, "\(gone)")
        }
        #expect(try IDAllocator(stateDirectory: state).knownApps().map(\.rawValue) == ["org.tauos.two"])
        // App two's bundle names the same skeleton: it stays, and so does the bundle.
        #expect(FileSystem.kind(shared) == .directory && FileSystem.kind(two.bundlePath + "/config.json") == .regular)

        let last = try Self.uninstaller(state, "org.tauos.two")
        #expect(try last.uninstall(try last.inventory(), keepData: false).removed.contains("1 rootfs skeleton"))
        #expect(try FileSystem.list(state + "/skeletons").isEmpty && FileSystem.list(state + "/apps").isEmpty)
        // A reinstall gets a new range: the old slots are never handed out again.
        let reinstalled = try AppInstaller.convert(one, prompter: NoPrompter?.none)
        #expect(reinstalled.hostIDBase > second.hostIDBase && second.hostIDBase > first.hostIDBase)
        #expect(throws: SandboxError.policyDenied(reason: "unknown app org.tauos.two: taurun has no state of it in \(state) (did you mean org.tauos.one?)")) {
            _ = try Self.uninstaller(state, "org.tauos.two").inventory()
        }
    }

    @Test(.enabled(if: TestSupport.isRoot, "convert needs root"))
    func keepDataKeepsTheHomeAndTheIdsItsFilesBelongTo() throws {
        let directory = TestSupport.temporaryDirectory("uninstall-keep")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        let state = directory + "/state"
        let options = Self.options(directory, id: "org.tauos.keep", rootfs: rootfs)
        let first = try AppInstaller.convert(options, prompter: NoPrompter?.none)
        TestSupport.write(first.homePath + "/notes", "mine")
        chown(first.homePath + "/notes", first.hostUID, first.hostUID)
        let uninstaller = try Self.uninstaller(state, "org.tauos.keep")
        let report = try uninstaller.uninstall(try uninstaller.inventory(), keepData: true)
        #expect(report.keptHome == first.homePath)
        #expect(!report.removed.contains { $0.hasPrefix("home") || $0.hasPrefix("host ids") })
        #expect(FileSystem.kind(options.bundlePath) == nil && FileSystem.kind(state + "/grants/org.tauos.keep.json") == nil)
        #expect(TestSupport.read(first.homePath + "/notes") == "mine")
        #expect(try IDAllocator(stateDirectory: state).knownApps().isEmpty)
        #expect(try IDAllocator(stateDirectory: state).kept(try #require(AppID("org.tauos.keep"))) == first.hostIDBase)
        // Reinstalled: the same ids, so the kept files are the app's own again.
        let again = try AppInstaller.convert(options, prompter: NoPrompter?.none)
        #expect(again.hostIDBase == first.hostIDBase && again.homePath == first.homePath)
        #expect(try FileSystem.status(first.homePath + "/notes").st_uid == again.hostUID)
        // And an uninstall without --keep-data removes the kept home as well.
        let final = try Self.uninstaller(state, "org.tauos.keep")
        _ = try final.uninstall(try final.inventory(), keepData: false)
        #expect(FileSystem.kind(state + "/apps/org.tauos.keep") == nil)
        #expect(try IDAllocator(stateDirectory: state).kept(try #require(AppID("org.tauos.keep"))) == nil)
    }

    /// A bundle directory another app's convert took over since, and a skeleton that an app without a bundle record
    /// (converted by an older taurun) may use, stay.
    @Test(.enabled(if: TestSupport.isRoot, "convert needs root"))
    func whatMayBelongToAnotherAppStays() throws {
        let directory = TestSupport.temporaryDirectory("uninstall-foreign")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        let state = directory + "/state"
        let one = Self.options(directory, id: "org.tauos.one", rootfs: rootfs)
        var two = Self.options(directory, id: "org.tauos.two", rootfs: rootfs)
        _ = try AppInstaller.convert(one, prompter: NoPrompter?.none)
        let skeleton = try Self.skeleton(one.bundlePath)
        // App two takes over app one's bundle directory, with a layout (and so a skeleton) of its own.
        try FileSystem.makeDirectory(rootfs + "/opt")
        two.bundlePath = one.bundlePath
        _ = try AppInstaller.convert(two, prompter: NoPrompter?.none)
        #expect(try Self.skeleton(one.bundlePath) != skeleton)
        TestSupport.remove(state + "/apps/org.tauos.two/bundles.json")
        let uninstaller = try Self.uninstaller(state, "org.tauos.one")
        let report = try uninstaller.uninstall(try uninstaller.inventory(), keepData: false)
        #expect(!report.removed.contains { $0.contains("bundle") || $0.contains("skeleton") })
        #expect(TestSupport.read(one.bundlePath + "/tau/bundle.json")?.contains("org.tauos.two") == true)
        #expect(FileSystem.kind(skeleton) == .directory)
    }

    /// Any process running as one of the app's host ids is a running container of it, whichever runtime started it.
    @Test func aRunningAppIsNotUninstalled() throws {
        let directory = TestSupport.temporaryDirectory("uninstall-running")
        defer { TestSupport.remove(directory) }
        let state = directory + "/state"
        let app = try #require(AppID("org.tauos.busy"))
        let base = try IDAllocator(stateDirectory: state, subordinateFiles: []).allocate(app)
        let proc = directory + "/proc"
        for (pid, uid, stateLine) in [(41, base, "S (sleeping)"), (42, base + 1000, "Z (zombie)"), (43, 0, "R (running)"), (44, base + 65536, "S (sleeping)")] {
            try FileSystem.makeDirectories(proc + "/\(pid)")
            TestSupport.write(proc + "/\(pid)/status", "Name:\tsh\nState:\t\(stateLine)\nUid:\t\(uid)\t\(uid)\t\(uid)\t\(uid)\n")
        }
        var uninstaller = try Self.uninstaller(state, "org.tauos.busy")
        uninstaller.procRoot = proc
        let inventory = try uninstaller.inventory()
        #expect(throws: SandboxError.policyDenied(reason: "org.tauos.busy is running (container tau-1; pid 41): stop it first "
            + "(taurun kill, then taurun delete), then uninstall; nothing was removed")) {
            try uninstaller.requireStopped(inventory, containers: ["tau-1"])
        }
        #expect(throws: SandboxError.self) { try uninstaller.requireStopped(inventory, containers: []) }
        TestSupport.remove(proc + "/41")
        try uninstaller.requireStopped(inventory, containers: [])
        #expect(AppProcesses.runsIn(base...(base + 65535), status: "State:\tS\nUid:\t0\t\(base + 7)\t0\t0\n"))
    }

    /// The profile convert loaded is unloaded by name through securityfs (no profile text needed).
    @Test func theLoadedAppArmorProfileIsUnloaded() throws {
        let directory = TestSupport.temporaryDirectory("uninstall-apparmor")
        defer { TestSupport.remove(directory) }
        let securityfs = directory + "/security"
        try FileSystem.makeDirectories(securityfs + "/apparmor")
        TestSupport.write(securityfs + "/apparmor/profiles", "taurun-org.tauos.other (enforce)\ntaurun-org.tauos.aa (enforce)\n")
        TestSupport.write(securityfs + "/apparmor/.remove", "")
        let state = directory + "/state"
        _ = try GrantStore(stateDirectory: state).update(try #require(AppID("org.tauos.aa"))) { $0.grant(.network) }
        let uninstaller = try Self.uninstaller(state, "org.tauos.aa", securityfs: securityfs)
        let report = try uninstaller.uninstall(try uninstaller.inventory(), keepData: false)
        #expect(report.removed == ["AppArmor profile taurun-org.tauos.aa", "grants"])
        #expect(TestSupport.read(securityfs + "/apparmor/.remove") == "taurun-org.tauos.aa")
    }
}
