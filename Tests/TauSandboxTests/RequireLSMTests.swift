import Testing
@testable import TauSandbox

/// `require_lsm`: read as a boolean in every format, carried to the runtime as an annotation only when true.
@Suite struct RequireLSMTests {
    let base = #"{"id": "org.example.strict", "command": ["/bin/sh"]"#

    func parse(_ text: String, _ format: ManifestFormat) throws(SandboxError) -> Manifest {
        try ManifestLoader.parse(bytes: Array(text.utf8), format: format, path: format.rawValue)
    }

    @Test func readInEveryFormatAndOffByDefault() throws {
        #expect(try parse(base + "}", .tauAppJSON).requireLSM == false)
        #expect(try parse(base + #", "require_lsm": true}"#, .tauAppJSON).requireLSM)
        #expect(try parse(base + #", "require_lsm": true}"#, .manifestTau).requireLSM)
        #expect(try parse("id = \"org.example.strict\"\ncommand = [\"/bin/sh\"]\nrequire_lsm = true\n", .tauToml).requireLSM)
    }

    @Test func aNonBooleanIsAManifestErrorNamingTheKey() {
        #expect {
            _ = try parse(base + #", "require_lsm": "yes"}"#, .tauAppJSON)
        } throws: { error in
            "\(error)".contains("require_lsm") && "\(error)".contains("yes")
        }
    }
}
