import Testing
@testable import TauSandbox

/// `taurun learn`'s manifest change, made on the manifest's own text in its own format: exactly the lines that must
/// change, comments and layout kept, and refused (never wrong) where the layout is one the editor does not follow.
@Suite struct ManifestEditorTests {
    static let network = ManifestChange(addPermissions: [.network])

    func edit(_ text: String, _ format: ManifestFormat, _ change: ManifestChange = ManifestEditorTests.network) throws -> String {
        try ManifestEditor.apply(change, to: text, format: format, path: format.rawValue)
    }

    static let head = "id = \"org.example.app\" # the app\ncommand = [\"/bin/app\"]\n"

    @Test func tomlWithoutPermissionsGetsATableAtTheEnd() throws {
        #expect(try edit(Self.head, .tauToml) == Self.head + "\n[permissions]\nnetwork = true\n")
        // No newline at the end of the file: the table still starts on a line of its own.
        #expect(try edit("id = \"org.example.app\"\ncommand = [\"/bin/app\"]", .tauToml)
            == "id = \"org.example.app\"\ncommand = [\"/bin/app\"]\n\n[permissions]\nnetwork = true\n")
    }

    @Test func tomlPermissionsTableGetsTheKeyAfterItsLastOneOrItsValueFlipped() throws {
        let table = Self.head + "\n[permissions]\ncamera = true # webcam\n\n# limits\n[resources]\nmemory = \"64M\"\n"
        #expect(try edit(table, .tauToml)
            == Self.head + "\n[permissions]\ncamera = true # webcam\nnetwork = true\n\n# limits\n[resources]\nmemory = \"64M\"\n")
        let refused = Self.head + "[permissions]\nnetwork = false   # offline for now\n"
        #expect(try edit(refused, .tauToml) == Self.head + "[permissions]\nnetwork = true   # offline for now\n")
    }

    @Test func tomlPermissionListsAndInlineTablesGetTheirOwnForm() throws {
        #expect(try edit(Self.head + "permissions = [\"camera\"]\n", .tauToml) == Self.head + "permissions = [\"network\", \"camera\"]\n")
        #expect(try edit(Self.head + "permissions = []\n", .tauToml) == Self.head + "permissions = [\"network\"]\n")
        #expect(try edit(Self.head + "permissions = [\n  \"camera\",\n]\n", .tauToml) == Self.head + "permissions = [\"network\",\n  \"camera\",\n]\n")
        #expect(try edit(Self.head + "permissions = { camera = true }\n", .tauToml) == Self.head + "permissions = { network = true, camera = true }\n")
        #expect(try edit(Self.head + "permissions = { network = false, gpu = true }\n", .tauToml)
            == Self.head + "permissions = { network = true, gpu = true }\n")
    }

    @Test func tomlResourcesAreSetOrAdded() throws {
        let change = ManifestChange(memoryBytes: 512 << 20, pids: 128)
        #expect(try edit(Self.head + "[resources]\nmemory = \"256M\"\n", .tauToml, change)
            == Self.head + "[resources]\nmemory = \"512M\"\npids = 128\n")
        #expect(try edit(Self.head, .tauToml, ManifestChange(addPermissions: [.network], pids: 2048))
            == Self.head + "\n[permissions]\nnetwork = true\n\n[resources]\npids = 2048\n")
    }

    @Test func tauAppJSONGetsMembersInItsOwnLayout() throws {
        let oneLine = "{\"id\": \"org.example.app\", \"command\": [\"/bin/app\"]}\n"
        #expect(try edit(oneLine, .tauAppJSON)
            == "{\"id\": \"org.example.app\", \"command\": [\"/bin/app\"], \"permissions\": {\"network\": true}}\n")
        let pretty = "{\n  \"id\": \"org.example.app\",\n  \"command\": [\"/bin/app\"],\n  \"permissions\": {\n    \"gpu\": true\n  }\n}\n"
        #expect(try edit(pretty, .tauAppJSON)
            == "{\n  \"id\": \"org.example.app\",\n  \"command\": [\"/bin/app\"],\n  \"permissions\": {\n    \"gpu\": true,\n    \"network\": true\n  }\n}\n")
        let refused = "{\"id\": \"org.example.app\", \"command\": [\"/bin/app\"], \"permissions\": {\"network\": false}, \"resources\": {\"pids\": 8}}"
        #expect(try edit(refused, .tauAppJSON, ManifestChange(addPermissions: [.network], pids: 16))
            == "{\"id\": \"org.example.app\", \"command\": [\"/bin/app\"], \"permissions\": {\"network\": true}, \"resources\": {\"pids\": 16}}")
    }

    @Test func manifestTauGetsOneMoreStringInItsList() throws {
        let listed = "{\"id\": \"org.example.app\", \"command\": [\"/bin/app\"], \"permissions\": [\"camera\", \"filesystem:ro\"]}\n"
        #expect(try edit(listed, .manifestTau)
            == "{\"id\": \"org.example.app\", \"command\": [\"/bin/app\"], \"permissions\": [\"camera\", \"filesystem:ro\", \"network\"]}\n")
        let none = "{\"id\": \"org.example.app\", \"command\": [\"/bin/app\"], \"permissions\": []}"
        #expect(try edit(none, .manifestTau) == "{\"id\": \"org.example.app\", \"command\": [\"/bin/app\"], \"permissions\": [\"network\"]}")
        let missing = "{\"id\": \"org.example.app\", \"command\": [\"/bin/app\"]}"
        #expect(try edit(missing, .manifestTau, ManifestChange(addPermissions: [.network], memoryBytes: 2 << 30))
            == "{\"id\": \"org.example.app\", \"command\": [\"/bin/app\"], \"permissions\": [\"network\"], \"resources\": {\"memory\": \"2G\"}}")
    }

    @Test func keysInsideStringsAreNotMembers() throws {
        // "permissions" appears in a string and in env: only the top-level member is the manifest's.
        let tricky = "{\"id\": \"org.example.app\", \"name\": \"\\\"permissions\\\": []\", \"command\": [\"/bin/app\"], \"env\": {\"permissions\": \"x\"}}"
        let edited = try edit(tricky, .manifestTau)
        #expect(edited.hasSuffix(", \"env\": {\"permissions\": \"x\"}, \"permissions\": [\"network\"]}"))
    }

    @Test func anEditThatParsesButIsNotTheChangeIsRefused() throws {
        // A multi-line string holding lines that look like a table and its key: the line scanner flips the "key" inside
        // the string, which still parses, but does not request network. Only the check by parsing catches it.
        let inString = Self.head + "[env]\nNOTE = \"\"\"\n[permissions]\nnetwork = false\n\"\"\"\n"
        #expect {
            try edit(inString, .tauToml)
        } throws: { error in
            (error as? SandboxError)?.message.contains("add it by hand") == true
        }
    }

    @Test func aLayoutTheEditorDoesNotFollowIsRefusedNotMangled() throws {
        // Dotted keys: the editor would add a second [permissions] definition, which does not parse as the change.
        let dotted = Self.head + "permissions.camera = true\n[env]\nA = \"1\"\n"
        #expect {
            try edit(dotted, .tauToml)
        } throws: { error in
            guard let error = error as? SandboxError else { return false }
            return error.code == "E_MANIFEST" && error.message.contains("network") && error.message.contains("add it by hand")
        }
    }
}
