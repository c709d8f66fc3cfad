import Testing
@testable import TauSandbox

/// The same app in all three formats reads to the same Manifest (apart from `format`).
@Suite struct ManifestFormatTests {
    static let toml = """
        id = "org.example.viewer"
        name = "Viewer"
        version = "1.2.3"
        command = ["/bin/viewer", "--fullscreen"]
        rootfs = "rootfs"
        on_violation = "deny"

        [env]
        LANG = "C.UTF-8"

        [permissions]
        network = true
        camera = false
        gpu = true
        filesystem = { mode = "ro", paths = ["/srv/pictures"] }

        [resources]
        memory = "256M"
        cpu = 0.5
        pids = 64
        disk = "1G"
        """

    static let json = """
        {"id": "org.example.viewer", "name": "Viewer", "version": "1.2.3", "command": ["/bin/viewer", "--fullscreen"],
         "rootfs": "rootfs", "on_violation": "deny", "env": {"LANG": "C.UTF-8"},
         "permissions": {"network": true, "camera": false, "gpu": true, "filesystem": {"mode": "ro", "paths": ["/srv/pictures"]}},
         "resources": {"memory": "256M", "cpu": 0.5, "pids": 64, "disk": "1G"}}
        """

    static let tau = """
        {"id": "org.example.viewer", "name": "Viewer", "version": "1.2.3", "command": ["/bin/viewer", "--fullscreen"],
         "rootfs": "rootfs", "on_violation": "deny", "env": {"LANG": "C.UTF-8"},
         "permissions": ["network", "gpu", "filesystem:ro:/srv/pictures"],
         "resources": {"memory": 268435456, "cpu": 0.5, "pids": 64, "disk": "1GiB"}}
        """

    func parse(_ text: String, _ format: ManifestFormat) throws(SandboxError) -> Manifest {
        try ManifestLoader.parse(bytes: Array(text.utf8), format: format, path: format.rawValue)
    }

    @Test func allThreeFormatsAgree() throws {
        var toml = try parse(Self.toml, .tauToml)
        var json = try parse(Self.json, .tauAppJSON)
        var tau = try parse(Self.tau, .manifestTau)
        #expect(toml.format == .tauToml && json.format == .tauAppJSON && tau.format == .manifestTau)
        toml.format = .tauToml
        json.format = .tauToml
        tau.format = .tauToml
        #expect(toml == json)
        #expect(toml == tau)
    }

    @Test func fieldsAreNormalised() throws {
        let manifest = try parse(Self.toml, .tauToml)
        #expect(manifest.id.rawValue == "org.example.viewer")
        #expect(manifest.command == ["/bin/viewer", "--fullscreen"])
        #expect(manifest.permissions.requested == [.network, .gpu, .filesystemReadOnly])
        #expect(manifest.permissions.filesystemPaths == ["/srv/pictures"])
        #expect(manifest.resources == ResourceLimits(memoryBytes: 256 << 20, cpuMillicores: 500, pids: 64, diskBytes: 1 << 30))
        #expect(manifest.onViolation == .deny)
        #expect(manifest.sandbox == .taurun)
        #expect(manifest.env == ["LANG": "C.UTF-8"])
    }

    @Test func seedManifestsParse() throws {
        // seed 000 (tau.toml permissions) and seed 001 (manifest.tau), plus the command convert needs.
        let seed000 = """
            id = "org.tauos.seed"
            command = ["/bin/app"]
            [permissions]
            network = true
            camera = false
            filesystem = "ro"
            """
        let first = try parse(seed000, .tauToml)
        #expect(first.permissions.requested == [.network, .filesystemReadOnly])
        let seed001 = #"{"id": "org.tauos.media", "command": ["/bin/app"], "permissions": ["network", "camera", "microphone", "filesystem:ro"]}"#
        let second = try parse(seed001, .manifestTau)
        #expect(second.permissions.requested == [.network, .camera, .microphone, .filesystemReadOnly])
        #expect(second.name == "org.tauos.media")
    }

    @Test func exampleBundlesParse() throws {
        for (directory, file) in [("hello", "tau.toml"), ("media", "manifest.tau"), ("notes", "tau-app.json")] {
            let manifest = try ManifestLoader.load(path: "\(TestSupport.repositoryRoot)/bundles/\(directory)/\(file)")
            #expect(manifest.id.rawValue.hasPrefix("org.tauos."))
            #expect(manifest.rootfs == "../../build/rootfs")
        }
    }

    @Test func formatIsChosenByFileName() {
        #expect(ManifestFormat.detect(fileName: "tau.toml") == .tauToml)
        #expect(ManifestFormat.detect(fileName: "tau-app.json") == .tauAppJSON)
        #expect(ManifestFormat.detect(fileName: "manifest.tau") == .manifestTau)
        #expect(ManifestFormat.detect(fileName: "other.json") == .tauAppJSON)
        #expect(ManifestFormat.detect(fileName: "Makefile") == nil)
    }

    static let typos: [(String, String)] = [
        ("netwrok", "network"), ("camra", "camera"), ("microphon", "microphone"), ("filesytem", "filesystem"),
    ]

    @Test(arguments: ManifestFormatTests.typos)
    func unknownPermissionKeySuggestsTheClosest(typo: String, expected: String) throws {
        let text = "id = \"org.a.b\"\ncommand = [\"/bin/x\"]\n[permissions]\n\(typo) = true\n"
        #expect(throws: SandboxError.unknownPermission(path: "tau.toml", key: "permissions.\(typo)", value: typo, suggestion: expected)) {
            try parse(text, .tauToml)
        }
    }

    @Test func unknownPermissionInListSuggests() throws {
        let text = #"{"id": "org.a.b", "command": ["/bin/x"], "permissions": ["camra"]}"#
        #expect(throws: SandboxError.unknownPermission(path: "manifest.tau", key: "permissions[0]", value: "camra", suggestion: "camera")) {
            try parse(text, .manifestTau)
        }
        let message = SandboxError.unknownPermission(path: "manifest.tau", key: "permissions[0]", value: "camra", suggestion: "camera").line
        #expect(message.hasPrefix("E_MANIFEST: manifest.tau: permissions[0]: unknown permission \"camra\" (did you mean camera?)"))
    }

    /// The design notes list permissions as "camera, net, files": those words get a did-you-mean to the vocabulary's
    /// own, in a manifest.tau list, a permissions table, and on the grant command line.
    @Test(arguments: [("net", "network"), ("files", "filesystem:ro")])
    func theDesignNotesAbbreviationsSuggestThePermission(word: String, expected: String) throws {
        let list = #"{"id": "org.a.b", "command": ["/bin/x"], "permissions": ["\#(word)"]}"#
        #expect(throws: SandboxError.unknownPermission(path: "manifest.tau", key: "permissions[0]", value: word, suggestion: expected)) {
            try parse(list, .manifestTau)
        }
        let key = expected.hasPrefix("filesystem") ? "filesystem" : expected
        let table = "id = \"org.a.b\"\ncommand = [\"/bin/x\"]\n[permissions]\n\(word) = true\n"
        #expect(throws: SandboxError.unknownPermission(path: "tau.toml", key: "permissions.\(word)", value: word, suggestion: key)) {
            try parse(table, .tauToml)
        }
        #expect(Permission.suggestion(for: word) == expected)
        #expect(Permission.parse(word) == nil)
    }

    @Test func unknownTopLevelKeySuggests() throws {
        let text = #"{"id": "org.a.b", "comand": ["/bin/x"]}"#
        #expect(throws: SandboxError.manifestUnknownKey(path: "tau-app.json", key: "comand", suggestion: "command")) {
            try parse(text, .tauAppJSON)
        }
    }

    @Test func tomlSyntaxErrorsCarryTheLine() throws {
        do {
            _ = try parse("id = \"org.a.b\"\ncommand = [\"/bin/x\"\n", .tauToml)
            Issue.record("expected a syntax error")
        } catch {
            guard case .manifestSyntax(_, let line, _, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(line != nil)
        }
    }

    static let sizeExamples: [(String, Int64)] = [
        ("256M", 256 << 20), ("1G", 1 << 30), ("512K", 512 << 10), ("1024", 1024),
        ("2Gi", 2 << 30), ("3MiB", 3 << 20), ("7MB", 7 << 20), ("1T", 1 << 40),
    ]

    @Test(arguments: ManifestFormatTests.sizeExamples)
    func sizes(text: String, bytes: Int64) {
        #expect(SizeParser.bytes(text) == bytes)
    }

    @Test(arguments: ["", "M", "12X", "-5M", "1.5G", "99999999999999999999", "9999999999T", "iB", "1 M"])
    func badSizes(text: String) {
        #expect(SizeParser.bytes(text) == nil)
    }

    @Test func appIDRules() {
        #expect(AppID("org.tauos.media") != nil)
        #expect(AppID("com.example.my_app-2") != nil)
        #expect(AppID("single") == nil)
        #expect(AppID("org..x") == nil)
        #expect(AppID("org.9x") == nil)
        #expect(AppID("org/evil.x") == nil)
        #expect(AppID(String(repeating: "a.", count: 40) + "b") == nil)
    }
}
