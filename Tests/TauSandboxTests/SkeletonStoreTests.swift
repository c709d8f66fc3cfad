import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif
import Testing
import TaurunOCI
@testable import TauProvisioning
@testable import TauSandbox

/// The shared rootfs skeletons in `<state>/skeletons/<sha256>`: naming, building, sealing, and how convert uses them.
@Suite(.serialized) struct SkeletonStoreTests {
    @Test func sha256MatchesKnownDigests() {
        #expect(SHA256.hexDigest([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hexDigest(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hexDigest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // Padding edges: 55 bytes fit one block, 64 need two; 259 bytes span five.
        #expect(SHA256.hexDigest([UInt8](repeating: UInt8(ascii: "a"), count: 55)) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        #expect(SHA256.hexDigest([UInt8](repeating: UInt8(ascii: "a"), count: 64)) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
        let long = (0...255).map { UInt8($0) } + Array("tau".utf8)
        #expect(SHA256.hexDigest(long) == "0245ccd4a0f026bba368d0ca980627c6609088830c9101415fe88e0764984572")
    }

    static func layout(_ entries: [RootfsLayout.Entry]) -> RootfsLayout {
        RootfsLayout(entries: entries, binds: [])
    }

    @Test func theNameIsTheLayoutsContent() {
        let base: [RootfsLayout.Entry] = [.directory("/bin"), .directory("/home"), .directory("/home/app"), .symlink("/lib", target: "usr/lib")]
        let name = RootfsSkeleton.name(for: Self.layout(base))
        #expect(name.utf8.count == 64)
        #expect(RootfsSkeleton.name(for: Self.layout(base)) == name)
        let variants: [[RootfsLayout.Entry]] = [
            [.directory("/bin"), .directory("/home"), .directory("/home/app")],
            [.directory("/bin"), .directory("/home"), .emptyFile("/home/app"), .symlink("/lib", target: "usr/lib")],
            [.directory("/bin"), .directory("/home"), .directory("/home/app"), .symlink("/lib", target: "usr/lib64")],
            [.directory("/bin"), .directory("/home"), .directory("/home/ap"), .symlink("/lib", target: "usr/lib")],
            // Separators: a path and a target cannot trade bytes.
            [.directory("/bin"), .directory("/home"), .directory("/home/app"), .symlink("/libusr", target: "/lib")],
        ]
        let names = Set(variants.map { RootfsSkeleton.name(for: Self.layout($0)) })
        #expect(names.count == variants.count && !names.contains(name))
        // Binds are config.json's business, not the skeleton's.
        let withBinds = RootfsLayout(entries: base, binds: [Mount(destination: "/bin", type: "bind", source: "/x/bin", options: ["rbind", "ro"])])
        #expect(RootfsSkeleton.name(for: withBinds) == name)
    }

    @Test(.enabled(if: TestSupport.isRoot, "skeletons are root's"))
    func ensureBuildsOnceSealedAndReusesIt() throws {
        let directory = TestSupport.temporaryDirectory("skeleton-store")
        defer { TestSupport.remove(directory) }
        let store = SkeletonStore(stateDirectory: directory + "/state")
        let layout = Self.layout([
            .directory("/bin"), .directory("/home"), .directory("/home/app"), .emptyFile("/init"), .symlink("/lib", target: "usr/lib"),
        ])
        try store.preflight(layout)
        #expect(FileSystem.kind(directory + "/state") == nil, "preflight writes nothing")
        let path = try store.ensure(layout)
        #expect(path == RootfsSkeleton.path(for: layout, stateDirectory: store.stateDirectory))
        #expect(try FileSystem.status(store.directory).st_mode & 0o7777 == 0o711)
        let root = try FileSystem.status(path)
        #expect(root.st_mode & 0o7777 == 0o755 && root.st_uid == 0)
        for dir in ["/bin", "/home", "/home/app"] {
            #expect(try FileSystem.status(path + dir).st_mode & 0o7777 == 0o755, "\(dir)")
        }
        #expect(FileSystem.kind(path + "/init") == .regular)
        #expect(try FileSystem.readLink(path + "/lib") == "usr/lib")
        #expect(try FileSystem.list(path) == ["bin", "home", "init", "lib"])
        #expect(try FileSystem.list(store.directory) == [RootfsSkeleton.name(for: layout)])
        // Again: the same directory, not rebuilt.
        #expect(try store.ensure(layout) == path)
        #expect(try FileSystem.status(path).st_ino == root.st_ino)
        try store.preflight(layout)
    }

    @Test(.enabled(if: TestSupport.isRoot, "skeletons are root's"))
    func aBrokenOrKilledBuildNeverLeavesASkeletonUnderItsName() throws {
        let directory = TestSupport.temporaryDirectory("skeleton-killed")
        defer { TestSupport.remove(directory) }
        let store = SkeletonStore(stateDirectory: directory + "/state")
        // A build that fails halfway (a child before its parent): nothing under the real name, no .building.
        let broken = Self.layout([.directory("/bin"), .directory("/missing/child")])
        #expect(throws: SandboxError.self) { _ = try store.ensure(broken) }
        #expect(FileSystem.kind(RootfsSkeleton.path(for: broken, stateDirectory: store.stateDirectory)) == nil)
        #expect(FileSystem.kind(store.building) == nil)
        // What a killed convert leaves: a partial .building. The next build discards it.
        try FileSystem.makeDirectory(store.building, mode: 0o755)
        try FileSystem.makeDirectory(store.building + "/partial", mode: 0o755)
        let layout = Self.layout([.directory("/bin")])
        let path = try store.ensure(layout)
        #expect(try FileSystem.list(path) == ["bin"])
        #expect(FileSystem.kind(store.building) == nil)
    }

    @Test(.enabled(if: TestSupport.isRoot, "skeletons are root's"))
    func aSkeletonOthersCouldWriteIsRefused() throws {
        let directory = TestSupport.temporaryDirectory("skeleton-tampered")
        defer { TestSupport.remove(directory) }
        let store = SkeletonStore(stateDirectory: directory + "/state")
        let layout = Self.layout([.directory("/bin")])
        let path = try store.ensure(layout)
        try FileSystem.changeMode(path, 0o777)
        do {
            try store.preflight(layout)
            Issue.record("preflight accepted a world-writable skeleton")
        } catch {
            #expect(error.code == "E_POLICY_DENIED")
        }
        do {
            _ = try store.ensure(layout)
            Issue.record("ensure handed out a world-writable skeleton")
        } catch {
            #expect(error.code == "E_POLICY_DENIED")
        }
        try FileSystem.changeMode(path, 0o755)
        try FileSystem.changeOwner(path, uid: 12345, gid: 12345)
        #expect(throws: SandboxError.self) { try store.preflight(layout) }
    }

    static func convertOptions(_ directory: String, id: String, rootfs: String) -> ConvertOptions {
        let manifest = directory + "/\(id).toml"
        TestSupport.write(manifest, "id = \"\(id)\"\ncommand = [\"/bin/sh\"]\n")
        return ConvertOptions(manifestPath: manifest, bundlePath: directory + "/\(id)", rootfs: rootfs, stateDirectory: directory + "/state")
    }

    static func rootPath(_ bundle: String) throws -> String {
        try #require(try Spec.decode(FileSystem.readFile(bundle + "/config.json")).root?.path)
    }

    @Test(.enabled(if: TestSupport.isRoot, "convert needs root"))
    func appsWithTheSameLayoutShareOneSkeletonAndNoConvertDeletesOne() throws {
        let directory = TestSupport.temporaryDirectory("skeleton-shared")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        let one = Self.convertOptions(directory, id: "org.tauos.one", rootfs: rootfs)
        let two = Self.convertOptions(directory, id: "org.tauos.two", rootfs: rootfs)
        _ = try AppInstaller.convert(one, prompter: NoPrompter?.none)
        _ = try AppInstaller.convert(two, prompter: NoPrompter?.none)
        let shared = try Self.rootPath(one.bundlePath)
        #expect(try Self.rootPath(two.bundlePath) == shared)
        // A new bundle directory for the same app: no skeleton built, the same root.path.
        var elsewhere = one
        elsewhere.bundlePath = directory + "/one-again"
        _ = try AppInstaller.convert(elsewhere, prompter: NoPrompter?.none)
        #expect(try FileSystem.readFile(elsewhere.bundlePath + "/config.json") == FileSystem.readFile(one.bundlePath + "/config.json"))
        #expect(try FileSystem.list(directory + "/state/skeletons") == [LexicalPath.baseName(shared)])
        // The rootfs changes and app two is converted again: it moves to a new skeleton; app one's stays.
        try FileSystem.makeDirectory(rootfs + "/opt")
        _ = try AppInstaller.convert(two, prompter: NoPrompter?.none)
        let moved = try Self.rootPath(two.bundlePath)
        #expect(moved != shared)
        #expect(FileSystem.kind(moved + "/opt") == .directory)
        #expect(try FileSystem.list(shared) == ["bin", "dev", "etc", "home", "proc", "sys", "tmp"])
        #expect(try FileSystem.list(directory + "/state/skeletons").count == 2)
    }

    @Test(.enabled(if: TestSupport.isRoot, "convert needs root"))
    func aBundleWithItsOwnRootfsFromAnOlderTaurunIsRewritten() throws {
        let directory = TestSupport.temporaryDirectory("skeleton-upgrade")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        let options = Self.convertOptions(directory, id: "org.tauos.upgrade", rootfs: rootfs)
        _ = try AppInstaller.convert(options, prompter: NoPrompter?.none)
        let config = try FileSystem.readFile(options.bundlePath + "/config.json")
        // What an older convert wrote beside config.json: the skeleton inside the bundle.
        try FileSystem.makeDirectory(options.bundlePath + "/rootfs", mode: 0o755)
        try FileSystem.makeDirectory(options.bundlePath + "/rootfs/bin", mode: 0o755)
        _ = try AppInstaller.convert(options, prompter: NoPrompter?.none)
        #expect(try FileSystem.list(options.bundlePath) == ["config.json", "tau"])
        #expect(try FileSystem.readFile(options.bundlePath + "/config.json") == config)
    }

    @Test(.enabled(if: TestSupport.isRoot, "convert needs root"))
    func skeletonsTheAppCannotTraverseStopConvertBeforeItWrites() throws {
        let directory = TestSupport.temporaryDirectory("skeleton-traverse")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        let options = Self.convertOptions(directory, id: "org.tauos.closed", rootfs: rootfs)
        try FileSystem.makeDirectories(directory + "/state/skeletons", mode: 0o711)
        try FileSystem.changeMode(directory + "/state/skeletons", 0o700)
        do {
            _ = try AppInstaller.convert(options, prompter: NoPrompter?.none)
            Issue.record("convert accepted a skeleton directory the app's host uid cannot traverse")
        } catch {
            #expect(error.code == "E_POLICY_DENIED")
            #expect(error.message.contains("rootfs skeleton"))
        }
        #expect(FileSystem.kind(options.bundlePath) == nil)
        #expect(FileSystem.kind(directory + "/state/ids.json") == nil)
        #expect(FileSystem.kind(directory + "/state/apps") == nil)
    }
}
