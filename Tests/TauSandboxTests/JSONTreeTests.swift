import Testing
@testable import TauSandbox

/// TauSandbox's own JSON reader and writer (manifests, ids.json, grants, the seccomp copy).
struct JSONTreeTests {
    static func parse(_ text: String) throws(JSONTreeParser.Failure) -> JSONTree {
        try JSONTreeParser.parse(Array(text.utf8))
    }

    static func failure(_ text: String) -> JSONTreeParser.Failure? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func parsesEveryKindKeepingOrderAndNumberText() throws {
        let tree = try Self.parse(#" {"b": [true, false, null], "a": {"x": -0.5e+3}, "n": 18446744073709551615, "s": "q\"\\\/\n\u00e9\ud83d\ude00"} "#)
        #expect(tree == .object([
            .init("b", .array([.bool(true), .bool(false), .null])),
            .init("a", .object([.init("x", .number("-0.5e+3"))])),
            .init("n", .number("18446744073709551615")),
            .init("s", .string("q\"\\/\né😀")),
        ]))
        #expect(tree["n"]?.uint32Value == nil)
        #expect(try Self.parse("4294967295").uint32Value == UInt32.max)
        #expect(try Self.parse("1.0").uint32Value == nil)
        #expect(try Self.parse(#"["a", "b"]"#).stringArray == ["a", "b"])
        #expect(try Self.parse(#"["a", 1]"#).stringArray == nil)
    }

    @Test func duplicateKeysAreFoundPerObjectWithTheirLine() {
        #expect(Self.failure(#"{"a": 1, "b": {"a": 2}}"#) == nil)
        #expect(Self.failure(#"{"a": [{"x": 1}, {"x": 2}]}"#) == nil)
        #expect(Self.failure("{\n\"a\": 1,\n  \"a\": 2}") == .init(message: "duplicate key \"a\"", line: 3, column: 3))
        #expect(Self.failure(#"{"s": "a\"b", "t": ["a", "a"], "s": 0}"#)?.message == "duplicate key \"s\"")
        // The same key spelled with an escape is the same key.
        #expect(Self.failure(#"{"network": false, "netw\u006frk": true}"#)?.message == "duplicate key \"network\"")
    }

    @Test(arguments: [
        ("", "unexpected end of input"), ("{", "expected a key"), (#"{"a" 1}"#, "expected ':'"), (#"{"a": 1,}"#, "expected a key"),
        ("[1,]", "expected a value"), ("[1 2]", "expected ',' or ']'"), ("01", "leading zero"), ("1.", "no digits after"),
        ("1e", "exponent"), ("-", "invalid number"), ("+1", "expected a value"), ("tru", "expected true"), ("nul", "expected null"),
        (#""abc"#, "unterminated string"), ("\"a\tb\"", "control character 0x9"), (#""\x""#, "invalid escape"),
        (#""\u12""#, "4 hex digits"), (#""\ud800""#, "lone surrogate"), (#""\udc00x""#, "lone surrogate"),
        (#""\ud800\u0041""#, "lone surrogate"), ("{} {}", "after the JSON value"), ("'a'", "character '''"),
        ("NaN", "expected a value"), ("[Infinity]", "expected a value"),
    ])
    func malformedInputIsRefused(text: String, fragment: String) {
        let failure = Self.failure(text)
        #expect(failure?.message.contains(fragment) == true, "\(text): \(String(describing: failure))")
    }

    @Test func invalidUTF8AndDeepNestingAreRefused() {
        #expect(throws: JSONTreeParser.Failure.self) { try JSONTreeParser.parse([0x22, 0xC3, 0x28, 0x22]) }
        let deep = String(repeating: "[", count: JSONTreeParser.maximumDepth + 1) + String(repeating: "]", count: JSONTreeParser.maximumDepth + 1)
        #expect(Self.failure(deep)?.message.contains("nested deeper") == true)
        let fine = String(repeating: "[", count: JSONTreeParser.maximumDepth) + String(repeating: "]", count: JSONTreeParser.maximumDepth)
        #expect(Self.failure(fine) == nil)
        // Far past the limit: an error, not a stack overflow.
        #expect(Self.failure(String(repeating: "{\"a\":", count: 100_000))?.message.contains("nested deeper") == true)
    }

    @Test func errorsCarryLineAndColumn() {
        #expect(Self.failure("{\n  \"a\": 1,\n  \"b\": x\n}") == .init(message: "unexpected character 'x', expected a value", line: 3, column: 8))
    }

    @Test func writerIsPrettyEscapedAndRoundTrips() throws {
        let tree = JSONTree.object([
            .init("a/b", .string("tab\there \"q\" \\ \u{1} é")),
            .init("empty", .array([])), .init("none", .object([])),
            .init("list", .array([.number("1"), .bool(false), .null])),
        ])
        let text = String(decoding: JSONTreeWriter.write(tree), as: UTF8.self)
        #expect(text == """
            {
              "a/b": "tab\\there \\"q\\" \\\\ \\u0001 é",
              "empty": [],
              "none": {},
              "list": [
                1,
                false,
                null
              ]
            }

            """)
        #expect(try JSONTreeParser.parse(JSONTreeWriter.write(tree)) == tree)
    }
}
