import Testing
@testable import TaurunRuntime

@Suite struct ContainerIDTests {
    @Test(arguments: ["a", "web-1", "abc_DEF.9+x", String(repeating: "x", count: 1024)])
    func acceptsSafeNames(_ id: String) throws {
        try ContainerID.validate(id)
    }

    @Test(arguments: ["", ".", "..", "../x", "a/b", "a b", "tab\t", "nul\u{0}x", "é", String(repeating: "x", count: 1025)])
    func refusesNamesThatAreNotOnePathComponent(_ id: String) {
        #expect(throws: RuntimeError.self) { try ContainerID.validate(id) }
    }

    @Test func errorQuotesControlCharactersAndShortensLongIDs() {
        let message = RuntimeError.invalidID("a\u{1}b").description
        #expect(message == "invalid container ID format: \"a\\u{1}b\"")
        #expect(RuntimeError.invalidID(String(repeating: "y", count: 500)).description.count < 100)
    }
}
