import Testing
import TaurunOCI
@testable import TauProvisioning
@testable import TauSandbox

/// End-to-end convert into a temp state dir (root only: it chowns the home to the app's host uid).
@Suite(.serialized) struct ConvertTests {
    @Test(.enabled(if: TestSupport.isRoot, "convert needs root"))
    func convertWritesABundleAndIsByteIdenticalOnRerun() throws {
        let directory = TestSupport.temporaryDirectory("convert")
        defer { TestSupport.remove(directory) }
        _ = TestSupport.makeRootfs(in: directory)  // the manifest names it: rootfs = "rootfs"
        let manifest = directory + "/tau.toml"
        TestSupport.write(manifest, "id = \"org.tauos.convert\"\ncommand = [\"/bin/sh\"]\nrootfs = \"rootfs\"\n[permissions]\ngpu = true\n")
        let options = ConvertOptions(manifestPath: manifest, bundlePath: directory + "/bundle", stateDirectory: directory + "/state")
        let first = try AppInstaller.convert(options, prompter: NoPrompter?.none)
        #expect(first.hostIDBase >= 200_000)
        #expect(first.permissions.granted == [.gpu])
        let config = try FileSystem.readFile(directory + "/bundle/config.json")
        #expect(try FileSystem.list(directory + "/bundle") == ["config.json", "tau"])
        for path in ["tau/apparmor.profile", "tau/seccomp.json", "tau/bundle.json"] {
            #expect(FileSystem.kind(directory + "/bundle/" + path) == .regular, "\(path)")
        }
        // root.path: the shared skeleton in the state directory, with every mount point.
        let root = try #require(try Spec.decode(config).root?.path)
        #expect(root.hasPrefix(directory + "/state/skeletons/"))
        for path in ["/bin", "/etc", "/home/app", "/proc", "/dev", "/sys", "/tmp"] {
            #expect(FileSystem.kind(root + path) == .directory, "\(path)")
        }
        let home = try FileSystem.status(first.homePath)
        #expect(home.st_uid == first.hostUID && home.st_mode & 0o777 == 0o700)
        #expect(FileSystem.kind(first.homePath + "/tmp") == .directory)

        // The app's uid owns its home and may open it up (or the host admin may change it): convert puts it back.
        try FileSystem.changeMode(first.homePath, 0o2755)
        try FileSystem.changeOwner(first.homePath, uid: 0, gid: 0)
        let second = try AppInstaller.convert(options, prompter: NoPrompter?.none)
        #expect(second.hostIDBase == first.hostIDBase)
        let rehomed = try FileSystem.status(first.homePath)
        #expect(rehomed.st_uid == first.hostUID && rehomed.st_gid == first.hostUID && rehomed.st_mode & 0o7777 == 0o700)
        #expect(try FileSystem.readFile(directory + "/bundle/config.json") == config)
        #expect(FileSystem.kind(directory + "/bundle.taurun-old") == nil)
    }

    @Test(.enabled(if: TestSupport.isRoot, "convert needs root"))
    func reconvertUpdatesChangedFilesAndRebuildsAChangedSkeleton() throws {
        let directory = TestSupport.temporaryDirectory("convert-update")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        let manifest = directory + "/tau.toml"
        TestSupport.write(manifest, "id = \"org.tauos.update\"\ncommand = [\"/bin/sh\"]\n[permissions]\nnetwork = true\n")
        var options = ConvertOptions(
            manifestPath: manifest, bundlePath: directory + "/bundle", rootfs: rootfs, grants: [.network], stateDirectory: directory + "/state")
        _ = try AppInstaller.convert(options, prompter: NoPrompter?.none)
        let granted = try #require(TestSupport.read(directory + "/bundle/config.json"))
        #expect(granted.contains("\"type\": \"network\"") && granted.contains("network-hook"))
        #expect(FileSystem.kind(directory + "/state/network/resolv.conf") == .regular)
        // Revoked: new config (updated in place), without the route.
        _ = try GrantStore(stateDirectory: directory + "/state").update(try #require(AppID("org.tauos.update"))) { $0.deny(.network) }
        options.grants = []
        _ = try AppInstaller.convert(options, prompter: NoPrompter?.none)
        let denied = try #require(TestSupport.read(directory + "/bundle/config.json"))
        #expect(denied.contains("\"type\": \"network\"") && !denied.contains("network-hook"))
        #expect(FileSystem.kind(directory + "/bundle/config.json.tmp") == nil)
        let oldRoot = try #require(try Spec.decode(FileSystem.readFile(directory + "/bundle/config.json")).root?.path)
        // The rootfs gained a top-level directory: a new skeleton, named in root.path; the old one stays (other
        // bundles may use it).
        try FileSystem.makeDirectory(rootfs + "/opt")
        _ = try AppInstaller.convert(options, prompter: NoPrompter?.none)
        let newRoot = try #require(try Spec.decode(FileSystem.readFile(directory + "/bundle/config.json")).root?.path)
        #expect(newRoot != oldRoot)
        #expect(FileSystem.kind(newRoot + "/opt") == .directory)
        #expect(FileSystem.kind(oldRoot + "/bin") == .directory && FileSystem.kind(oldRoot + "/opt") == nil)
        #expect(try #require(TestSupport.read(directory + "/bundle/config.json")).contains("\"destination\": \"/opt\""))
    }

    @Test(.enabled(if: TestSupport.isRoot, "convert needs root"))
    func aFailedConvertLeavesTheOldBundle() throws {
        let directory = TestSupport.temporaryDirectory("convert-fail")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        let manifest = directory + "/tau.toml"
        TestSupport.write(manifest, "id = \"org.tauos.convert\"\ncommand = [\"/bin/sh\"]\n")
        let options = ConvertOptions(manifestPath: manifest, bundlePath: directory + "/bundle", rootfs: rootfs, stateDirectory: directory + "/state")
        _ = try AppInstaller.convert(options, prompter: NoPrompter?.none)
        let before = try FileSystem.readFile(directory + "/bundle/config.json")
        TestSupport.write(directory + "/tau2.toml", "id = \"org.tauos.convert\"\ncommand = [\"/bin/sh\"]\n[permissions]\nnetwork = true\n")
        var failing = options
        failing.manifestPath = directory + "/tau2.toml"
        #expect(throws: SandboxError.grantsMissing(app: "org.tauos.convert", permissions: [.network])) {
            _ = try AppInstaller.convert(failing, prompter: NoPrompter?.none)
        }
        #expect(try FileSystem.readFile(directory + "/bundle/config.json") == before)
    }

    @Test(.enabled(if: TestSupport.isRoot, "convert needs root"))
    func aDirectoryThatIsNotABundleIsNeverReplaced() throws {
        let directory = TestSupport.temporaryDirectory("convert-foreign")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        TestSupport.write(directory + "/tau.toml", "id = \"org.tauos.convert\"\ncommand = [\"/bin/sh\"]\n")
        _ = try FileSystem.makeDirectory(directory + "/precious")
        TestSupport.write(directory + "/precious/data", "keep")
        let options = ConvertOptions(
            manifestPath: directory + "/tau.toml", bundlePath: directory + "/precious", rootfs: rootfs, stateDirectory: directory + "/state")
        do {
            _ = try AppInstaller.convert(options, prompter: NoPrompter?.none)
            Issue.record("replaced a foreign directory")
        } catch {
            #expect(error.code == "E_POLICY_DENIED")
        }
        #expect(TestSupport.read(directory + "/precious/data") == "keep")
    }

    @Test func explainShowsStatesPerPermission() throws {
        let directory = TestSupport.temporaryDirectory("explain")
        defer { TestSupport.remove(directory) }
        let manifest = try ManifestLoader.load(path: "\(TestSupport.repositoryRoot)/bundles/media/manifest.tau")
        let explanation = try TauConverter.explain(
            manifest: manifest, stored: StoredAppState.load(stateDirectory: directory, app: manifest.id, caller: .current()), environment: [:])
        let states = Dictionary(uniqueKeysWithValues: explanation.rows.map { ($0.permission, $0.state) })
        #expect(states["network"] == "undecided (asked at convert)")
        #expect(states["gpu"] == "not requested")
        #expect(states["filesystem:ro"] == "granted (no consent needed)")
        #expect(explanation.renderText().contains("network [undecided (asked at convert)]"))
        #expect(explanation.renderJSON().contains("\"permission\": \"camera\""))
    }
}
