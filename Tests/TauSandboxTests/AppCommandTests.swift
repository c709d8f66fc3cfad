import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import TauSandbox

/// Issue 14, item 15: the design notes' manifest.tau names no command. Convert takes it from `-- CMD`, else from the
/// rootfs convention `/app/bin/<last label of the id>`, and refuses only when neither gives one, saying how.
@Suite(.serialized) struct AppCommandTests {
    /// The design notes' example (../shared/seeds/001), verbatim.
    static let seed = #"{"id": "org.tauos.media", "permissions": ["network", "camera", "microphone", "filesystem:ro"]}"#

    static func plan(_ directory: String, rootfs: String, text: String = seed, command: [String] = []) throws(SandboxError) -> ConvertPlan {
        let manifest = directory + "/manifest.tau"
        if FileSystem.kind(manifest) == nil { TestSupport.write(manifest, text) }
        var options = ConvertOptions(
            manifestPath: manifest, bundlePath: directory + "/bundle", rootfs: rootfs,
            dataDirectory: FileSystem.kind(directory + "/data") != nil ? directory + "/data" : nil, yes: true,
            stateDirectory: directory + "/state")
        options.command = command
        var prompter: NoPrompter? = nil
        let manifestValue = try ManifestLoader.load(path: manifest)
        let stored = StoredAppState.load(stateDirectory: directory + "/state", app: manifestValue.id, caller: options.caller)
        return try TauConverter.makePlan(
            options, manifest: manifestValue, stored: stored, stateDirectory: directory + "/state", cwd: directory, prompter: &prompter)
    }

    static func install(_ rootfs: String, _ program: String, mode: mode_t) {
        _ = TestSupport.run("/bin/mkdir", ["-p", rootfs + LexicalPath.directoryName(program)])
        TestSupport.write(rootfs + program, "#!/bin/sh\necho media\n")
        chmod(rootfs + program, mode)
    }

    @Test func theSeedManifestTakesItsCommandFromTheRootfsConvention() throws {
        let directory = TestSupport.temporaryDirectory("command-convention")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        try FileSystem.makeDirectory(directory + "/data")
        Self.install(rootfs, "/app/bin/media", mode: 0o755)
        #expect(try Self.plan(directory, rootfs: rootfs).manifest.command == ["/app/bin/media"])
        // `-- CMD` wins over the convention.
        #expect(try Self.plan(directory, rootfs: rootfs, command: ["/bin/sh", "-c", "true"]).manifest.command == ["/bin/sh", "-c", "true"])
    }

    @Test func aManifestCommandWinsOverTheConvention() throws {
        let directory = TestSupport.temporaryDirectory("command-manifest")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        Self.install(rootfs, "/app/bin/media", mode: 0o755)
        let plan = try Self.plan(directory, rootfs: rootfs, text: #"{"id": "org.tauos.media", "command": ["/bin/sh"]}"#)
        #expect(plan.manifest.command == ["/bin/sh"])
    }

    /// No command anywhere (and a file at the conventional path that is not executable is none): E_MANIFEST, saying
    /// every way to give one, and nothing written.
    @Test func withoutAnyCommandTheErrorSaysHowToGiveOne() throws {
        let directory = TestSupport.temporaryDirectory("command-missing")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        try FileSystem.makeDirectory(directory + "/data")
        Self.install(rootfs, "/app/bin/media", mode: 0o644)
        do {
            _ = try Self.plan(directory, rootfs: rootfs)
            Issue.record("a manifest without a command was accepted")
        } catch {
            #expect(error == .commandMissing(path: directory + "/manifest.tau", conventional: "/app/bin/media"))
            #expect(error.line == "E_MANIFEST: \(directory)/manifest.tau: missing required key command; name the program in the manifest, "
                + "give it after --: taurun convert MANIFEST -- /path/to/program ARGS, or install it in the app's rootfs as /app/bin/media")
            #expect(error.exitCode == 65)
        }
        #expect(FileSystem.kind(directory + "/state") == nil)
    }

    /// The caller reads the stored state before the plan (StoredAppState), yet a broken ids.json is reported where
    /// the plan needs the id range: after the manifest's own problems, as when the plan read it itself.
    @Test func aBrokenStoredStateIsReportedWhereThePlanUsesIt() throws {
        let directory = TestSupport.temporaryDirectory("command-stored")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        try FileSystem.makeDirectory(directory + "/data")
        try FileSystem.makeDirectory(directory + "/state")
        TestSupport.write(directory + "/state/ids.json", "not json")
        Self.install(rootfs, "/app/bin/media", mode: 0o644)
        #expect(throws: SandboxError.commandMissing(path: directory + "/manifest.tau", conventional: "/app/bin/media")) {
            try Self.plan(directory, rootfs: rootfs)
        }
        Self.install(rootfs, "/app/bin/media", mode: 0o755)
        #expect(throws: SandboxError.io(call: "parse ids", path: directory + "/state/ids.json", errno: EINVAL)) {
            try Self.plan(directory, rootfs: rootfs)
        }
    }

    @Test func theConventionalPathIsTheIdsLastLabelUnderAppBin() throws {
        #expect(AppCommand.conventionalPath(for: try #require(AppID("org.tauos.media"))) == "/app/bin/media")
        #expect(AppCommand.conventionalPath(for: try #require(AppID("com.example.Photo_Editor"))) == "/app/bin/Photo_Editor")
    }
}
