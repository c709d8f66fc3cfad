import Testing
@testable import TaurunOCI

@Test func smoke() throws {
    let bytes = Array(#"{"ociVersion":"1.0.2","process":{"user":{"uid":0,"gid":0},"cwd":"/","args":["sh"]},"linux":{"namespaces":[{"type":"pid"},{"type":"nett"}]}}"#.utf8)
    #expect(throws: SpecError(file: "config.json", jsonPath: "linux.namespaces[1].type", message: "unknown namespace type \"nett\"")) {
        try Spec.decode(bytes)
    }
}
