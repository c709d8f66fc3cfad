import Testing
@testable import TauProvisioning
@testable import TauSandbox

/// Malformed and hostile manifests: each gives its documented error (code + message) and convert writes nothing
/// (no bundle, no state directory).
@Suite(.serialized) struct HostileManifestTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var file: String
        var text: String
        var code: String
        var fragment: String
        var yes = false
        var data: String? = nil

        var testDescription: String { name }
    }

    static let good = #""id": "org.evil.app", "command": ["/bin/sh"]"#

    static func json(_ body: String, _ name: String, _ code: String, _ fragment: String, yes: Bool = false, data: String? = nil) -> Case {
        Case(name: name, file: "tau-app.json", text: "{" + body + "}", code: code, fragment: fragment, yes: yes, data: data)
    }

    static func tau(_ body: String, _ name: String, _ code: String, _ fragment: String) -> Case {
        Case(name: name, file: "manifest.tau", text: "{" + body + "}", code: code, fragment: fragment)
    }

    static func toml(_ text: String, _ name: String, _ code: String, _ fragment: String) -> Case {
        Case(name: name, file: "tau.toml", text: text, code: code, fragment: fragment)
    }

    static let manifestCases: [Case] = [
        json(#""id": "single", "command": ["/bin/sh"]"#, "id without dots", "E_MANIFEST", "key id: value \"single\" is not reverse-DNS"),
        json(#""id": "org/../etc", "command": ["/bin/sh"]"#, "id with slash", "E_MANIFEST", "key id"),
        json(#""id": "", "command": ["/bin/sh"]"#, "empty id", "E_MANIFEST", "key id: value \"\" is empty"),
        json(#""id": "org.\#(String(repeating: "a", count: 80))", "command": ["/bin/sh"]"#, "id too long", "E_MANIFEST", "is longer than 64 bytes"),
        json(#""id": 42, "command": ["/bin/sh"]"#, "id not a string", "E_MANIFEST", "key id: value 42 must be a string, not integer"),
        json(#""command": ["/bin/sh"]"#, "missing id", "E_MANIFEST", "missing required key id"),
        json(#""id": "org.evil.app""#, "missing command", "E_MANIFEST", "missing required key command"),
        json(#""id": "org.evil.app", "command": ["bin/sh"]"#, "relative command", "E_MANIFEST", "key command[0]: value \"bin/sh\" is not an absolute path"),
        json(#""id": "org.evil.app", "command": "/bin/sh""#, "command as string", "E_MANIFEST", "must be an array of strings (argv)"),
        json(#""id": "org.evil.app", "command": []"#, "empty command", "E_MANIFEST", "must name a program"),
        json(#""id": "org.evil.app", "command": ["/bin/../etc/shadow"]"#, "command with ..", "E_MANIFEST", "is not normalised (contains ..)"),
        json(#""id": "org.evil.app", "command": ["/bin/sh", "a\u0000b"]"#, "NUL in argument", "E_MANIFEST", #"command[1]: NUL byte in string "a\u0000b""#),
        json(#""id": "org.evil.app", "command": [\#(Array(repeating: "\"/bin/sh\"", count: 300).joined(separator: ","))]"#,
             "300 arguments", "E_MANIFEST", "has more than 256 arguments"),
        toml("id = \"org.evil.app\"\ncommand = [\"/bin/sh\"]\n[permissions]\nnetwrok = true\n", "unknown permission key", "E_MANIFEST",
             "unknown permission \"netwrok\" (did you mean network?)"),
        tau(good + #", "permissions": ["root"]"#, "unknown permission token", "E_MANIFEST", "permissions[0]: unknown permission \"root\""),
        json(good + #", "permissions": {"network": "yes"}"#, "permission not a boolean", "E_MANIFEST", "key permissions.network: value \"yes\" must be true or false"),
        json(good + #", "permissions": {"filesystem": "write"}"#, "bad filesystem mode", "E_MANIFEST", "must be one of \"none\", \"ro\", \"rw\""),
        json(good + #", "permissions": {"filesystem": {"mode": "ro", "paths": ["srv/data"]}}"#, "relative data path", "E_POLICY_DENIED", "is not an absolute path"),
        json(good + #", "permissions": {"filesystem": {"mode": "rw", "paths": ["/srv/../etc"]}}"#, "data path with ..", "E_MANIFEST", "is not normalised"),
        tau(good + #", "permissions": ["filesystem:none:/srv/x"]"#, "paths with filesystem none", "E_MANIFEST", "filesystem access is \"none\""),
        tau(good + #", "permissions": ["filesystem:ro", "filesystem:rw"]"#, "conflicting filesystem modes", "E_MANIFEST", "conflicts with filesystem:ro"),
        json(good + #", "resources": {"memory": "999999T"}"#, "memory huge", "E_MANIFEST", "is outside 4M...1T"),
        json(good + #", "resources": {"memory": "1K"}"#, "memory too small", "E_MANIFEST", "is outside 4M...1T"),
        json(good + #", "resources": {"memory": "12X"}"#, "memory bad unit", "E_MANIFEST", "is not a size"),
        json(good + #", "resources": {"memory": 99999999999999999999999}"#, "memory beyond Int64", "E_MANIFEST", "resources.memory"),
        json(good + #", "resources": {"cpu": 0}"#, "cpu zero", "E_MANIFEST", "is outside 0.01...1024 cores"),
        json(good + #", "resources": {"cpu": -1}"#, "cpu negative", "E_MANIFEST", "is outside 0.01...1024 cores"),
        json(good + #", "resources": {"cpu": 5000}"#, "cpu huge", "E_MANIFEST", "is outside 0.01...1024 cores"),
        json(good + #", "resources": {"cpu": "half"}"#, "cpu string", "E_MANIFEST", "must be a number of cores"),
        json(good + #", "resources": {"pids": 0}"#, "pids zero", "E_MANIFEST", "key resources.pids: value 0 is outside 1...4194304"),
        json(good + #", "resources": {"pids": 99999999999}"#, "pids huge", "E_MANIFEST", "is outside 1...4194304"),
        json(good + #", "resources": {"pids": 1.5}"#, "pids fractional", "E_MANIFEST", "must be an integer"),
        json(good + #", "resources": {"disk": "1K"}"#, "disk too small", "E_MANIFEST", "is outside 16M...1T"),
        json(#""id": "org.evil.app", "comand": ["/bin/sh"]"#, "unknown top-level key", "E_MANIFEST", "unknown key comand (did you mean command?)"),
        json(good + #", "resources": {"memroy": "1G"}"#, "unknown resources key", "E_MANIFEST", "unknown key resources.memroy (did you mean resources.memory?)"),
        json(good + #", "env": {"HOME": "/root"}"#, "env overrides HOME", "E_MANIFEST", "is set by the sandbox and cannot be overridden"),
        json(good + #", "env": {"1X": "a"}"#, "env bad name", "E_MANIFEST", "is not a valid variable name"),
        json(good + #", "env": {"A": 1}"#, "env value not a string", "E_MANIFEST", "key env.A: value 1 must be a string"),
        json(good + #", "sandbox": "off""#, "unknown sandbox", "E_MANIFEST", "must be one of \"taurun\", \"none\""),
        json(good + #", "on_violation": "ignore""#, "unknown on_violation", "E_MANIFEST", "must be one of \"terminate\", \"deny\""),
        json(good + #", "permissions": {"network": false, "network": true}"#, "duplicate key", "E_MANIFEST", "duplicate key \"network\""),
        Case(name: "unterminated object", file: "tau-app.json", text: #"{"id": "org.evil.app", "command": ["/bin/sh"]"#, code: "E_MANIFEST", fragment: "syntax error"),
        toml("id = \"org.evil.app\"\ncommand = [\"/bin/sh\"]\nversion = 1979-05-27\n", "TOML date as version", "E_MANIFEST", "version: TOML dates and times are not allowed"),
        Case(name: "top-level array", file: "tau-app.json", text: "[1, 2]", code: "E_MANIFEST", fragment: "must be a table/object"),
        tau(good + #", "permissions": 7"#, "permissions as number", "E_MANIFEST", "must be a table (network = true, …) or a list"),
        Case(name: "invalid UTF-8", file: "tau-app.json", text: "{\"id\": \"org.a.b\u{FFFD}\"}", code: "E_MANIFEST", fragment: "key id"),
        json(#""id": "org.evil.app", "command": ["/bin/not-in-rootfs"]"#, "command missing from rootfs", "E_MANIFEST", "does not exist in the rootfs"),
    ]

    static let policyCases: [Case] = [
        json(good + #", "sandbox": "none""#, "sandbox none without ack", "E_POLICY_DENIED", "needs sandbox_unsafe_ack = true"),
        json(good + #", "executables": ["/bin/ls"]"#, "command outside the allowlist", "E_POLICY_DENIED", "is not in the executable allowlist"),
        json(good + #", "permissions": {"filesystem": {"mode": "ro", "paths": ["/etc"]}}"#, "forbidden /etc", "E_POLICY_DENIED", "/etc, which is never mountable"),
        json(good + #", "permissions": {"filesystem": {"mode": "rw", "paths": ["/"]}}"#, "the whole host", "E_POLICY_DENIED", "/ (the whole host) is never mountable"),
        json(good + #", "permissions": {"filesystem": {"mode": "rw", "paths": ["/var/lib/taurun/apps"]}}"#, "taurun state", "E_POLICY_DENIED", "inside the taurun state directory"),
        json(good + #", "permissions": {"filesystem": {"mode": "ro", "paths": ["/var"]}}"#, "ancestor of the state dir", "E_POLICY_DENIED", "contains /var/lib/taurun"),
        json(good + #", "permissions": {"filesystem": {"mode": "ro", "paths": ["/home/tester"]}}"#, "the user's $HOME", "E_POLICY_DENIED", "contains /home/tester"),
        json(good + #", "permissions": {"filesystem": {"mode": "ro", "paths": ["/proc/self"]}}"#, "/proc", "E_POLICY_DENIED", "/proc"),
        json(good + #", "permissions": {"filesystem": {"mode": "rw", "paths": ["/root/.ssh"]}}"#, "/root", "E_POLICY_DENIED", "/root"),
        json(good + #", "permissions": {"filesystem": {"mode": "rw", "paths": ["/dev/sda"]}}"#, "/dev", "E_POLICY_DENIED", "/dev"),
        json(good + #", "permissions": {"filesystem": {"mode": "rw", "paths": ["/home/app"]}}"#, "collides with the home", "E_POLICY_DENIED", "collides with /home/app"),
        json(good + #", "permissions": {"filesystem": {"mode": "rw", "paths": ["/var"]}}"#, "all of /var", "E_POLICY_DENIED", "/var"),
        json(good + #", "permissions": {"filesystem": {"mode": "rw", "paths": ["/tmp"]}}"#, "all of /tmp", "E_POLICY_DENIED", "/tmp"),
        json(good + #", "permissions": {"filesystem": {"mode": "rw", "paths": ["/home"]}}"#, "every home", "E_POLICY_DENIED", "/home"),
        json(good + #", "permissions": {"filesystem": {"mode": "ro", "paths": ["/srv/a,b"]}}"#, "comma in path", "E_MANIFEST", "contains a character taurun does not accept"),
        json(good + #", "permissions": {"filesystem": {"mode": "ro", "paths": ["/srv/definitely-missing-xyz"]}}"#, "missing host path", "E_POLICY_DENIED",
             "does not exist on this host", yes: true),
        json(good + #", "permissions": {"network": true, "camera": true}"#, "undecided grants without a terminal", "E_POLICY_DENIED",
             "requests network camera without a recorded decision"),
        json(good, "--data without filesystem", "E_POLICY_DENIED", "does not request filesystem access", data: "/srv"),
        json(good + #", "permissions": {"filesystem": "ro"}"#, "filesystem without paths or --data", "E_POLICY_DENIED", "pass --data DIR"),
    ]

    static var allCases: [Case] { manifestCases + policyCases }

    @Test func thereAreAtLeastFortyCases() {
        #expect(Self.allCases.count >= 40)
    }

    @Test(arguments: HostileManifestTests.allCases)
    func hostileManifestIsRejectedAndNothingIsWritten(_ item: Case) throws {
        let directory = TestSupport.temporaryDirectory("hostile")
        defer { TestSupport.remove(directory) }
        let rootfs = TestSupport.makeRootfs(in: directory)
        let manifest = directory + "/" + item.file
        if item.name == "invalid UTF-8" {
            try FileSystem.createFile(manifest, bytes: Array("{\"id\": \"org.a.".utf8) + [0xFF, 0xFE] + Array("\"}".utf8))
        } else {
            TestSupport.write(manifest, item.text)
        }
        let state = directory + "/state"
        let bundle = directory + "/bundle"
        let options = ConvertOptions(
            manifestPath: manifest, bundlePath: bundle, rootfs: rootfs, dataDirectory: item.data, yes: item.yes,
            stateDirectory: state, environment: ["HOME": "/home/tester"])
        do {
            _ = try AppInstaller.convert(options, prompter: NoPrompter?.none)
            Issue.record("\(item.name): convert succeeded")
        } catch {
            let expectedCode = item.name == "invalid UTF-8" ? "E_MANIFEST" : item.code
            #expect(error.code == expectedCode, "\(item.name): \(error.line)")
            if item.name != "invalid UTF-8" {
                #expect(error.message.contains(item.fragment), "\(item.name): \(error.line)")
            }
        }
        #expect(FileSystem.kind(bundle) == nil, "\(item.name): bundle written")
        #expect(FileSystem.kind(state) == nil, "\(item.name): state written")
        #expect(FileSystem.kind(bundle + ".taurun-new") == nil)
    }

    @Test func exitCodesAreStable() {
        #expect(SandboxError.manifestMissingKey(path: "x", key: "id").exitCode == 65)
        #expect(SandboxError.policyDenied(reason: "x").exitCode == 77)
        #expect(SandboxError.grantsMissing(app: "a.b", permissions: [.network]).exitCode == 77)
        #expect(SandboxError.sandboxUnavailable(what: "x").exitCode == 69)
        #expect(SandboxError.io(call: "open", path: "/x", errno: 2).exitCode == 74)
        #expect(SandboxError.policyDenied(reason: "no").line == "E_POLICY_DENIED: no")
        #expect(SandboxError.sandboxUnavailable(what: "user namespaces").line == "E_SANDBOX_UNAVAILABLE: user namespaces")
        #expect(SandboxError.grantsMissing(app: "a.b", permissions: [.network]).json.contains("\"missing_grants\":[\"network\"]"))
    }
}
