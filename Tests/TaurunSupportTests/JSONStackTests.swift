import Testing
import TaurunSupport

/// The one JSON stack: the strict parser, the writer, and the Codable encoder/decoder over JSONValue.
struct JSONStackTests {
    static func failure(_ text: String) -> JSONError? {
        do {
            _ = try JSONParser.parse(Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func jsonPathPrintsKeysIndicesAndBracketsOddKeys() {
        let path = JSONPath([.key("linux"), .key("namespaces"), .index(2), .key("type")])
        #expect(path.description == "linux.namespaces[2].type")
        #expect(JSONPath([.key("linux"), .key("sysctl"), .key("net.ipv4.ip_forward")]).description == #"linux.sysctl["net.ipv4.ip_forward"]"#)
        #expect(JSONPath([.index(0)]).description == "[0]")
        #expect(JSONPath().description == "")
    }

    @Test func parsesEveryKindKeepingOrderAndNumberText() throws {
        let value = try JSONParser.parse(Array(#" {"b": [true, false, null], "a": {"x": -0.5e+3}, "n": 18446744073709551615, "s": "q\"\\\/\n\u00e9\ud83d\ude00"} "#.utf8))
        #expect(value == .object([
            ("b", .array([.bool(true), .bool(false), .null])),
            ("a", .object([("x", .number("-0.5e+3"))])),
            ("n", .number("18446744073709551615")),
            ("s", .string("q\"\\/\né😀")),
        ]))
    }

    @Test func duplicateKeysAreRefusedPerObjectWithTheirPath() {
        #expect(Self.failure(#"{"a": 1, "b": {"a": 2}}"#) == nil)
        #expect(Self.failure(#"{"a": [{"x": 1}, {"x": 2}]}"#) == nil)
        #expect(Self.failure(#"{"b": {"a": 1, "a": 2}}"#)?.description == #"b.a: duplicate key "a""#)
        // The same key spelled with an escape is the same key.
        #expect(Self.failure(#"{"network": false, "netw\u006frk": true}"#)?.message == #"duplicate key "network""#)
    }

    @Test(arguments: [
        ("", "empty file"), ("{", "end of input"), (#"{"a" 1}"#, "expected ':'"), (#"{"a": 1,}"#, "expected a quoted member name"),
        ("[1,]", "unexpected ']'"), ("[1 2]", "expected ',' or ']'"), ("01", "leading zero"), ("1.", "malformed number"),
        ("1e", "malformed number"), ("-", "unexpected end of input"), ("+1", "unexpected '+'"), ("tru", "unexpected"),
        (#""abc"#, "end of input"), ("\"a\tb\"", "control character 0x9"), (#""\x""#, "unknown escape"),
        (#""\u12""#, #"bad \u escape"#), (#""\ud800""#, "unpaired surrogate"), (#""\udc00x""#, "unpaired surrogate"),
        ("{} {}", "after the top-level value"), ("'a'", "unexpected '''"), ("NaN", "unexpected 'N'"), ("[Infinity]", "unexpected 'I'"),
        ("\"a\u{0}b\"", "NUL byte in string"),
    ])
    func malformedInputIsRefused(text: String, fragment: String) {
        let failure = Self.failure(text)
        #expect(failure?.message.contains(fragment) == true, "\(text): \(String(describing: failure))")
    }

    @Test func errorsCarryPathLineAndColumn() {
        #expect(Self.failure("{\n  \"a\": 1,\n  \"b\": [x]\n}")?.description == "b[0]: invalid JSON: unexpected 'x' at line 3, column 9")
    }

    @Test func invalidUTF8AndDeepNestingAreRefused() {
        #expect(throws: JSONError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
        let depth = JSONParser.maximumDepth
        #expect(Self.failure(String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1))?.message.contains("nested deeper") == true)
        #expect(Self.failure(String(repeating: "[", count: depth) + String(repeating: "]", count: depth)) == nil)
        // Far past the limit: an error, not a stack overflow.
        #expect(Self.failure(String(repeating: "{\"a\":", count: 100_000))?.message.contains("nested deeper") == true)
    }

    @Test func writerIsPrettyOrCompactEscapedAndRoundTrips() throws {
        let value = JSONValue.object([
            ("b/c", .string("tab\there \"q\" \\ \u{1} é")),
            ("a", .array([])), ("none", .object([])),
            ("list", .array([.number("1"), .bool(false), .null])),
        ])
        let pretty = String(decoding: JSONWriter(indent: "  ", keyOrder: .asBuilt).write(value), as: UTF8.self)
        #expect(pretty == """
            {
              "b/c": "tab\\there \\"q\\" \\\\ \\u0001 é",
              "a": [],
              "none": {},
              "list": [
                1,
                false,
                null
              ]
            }
            """)
        let compact = String(decoding: JSONWriter(indent: nil, keyOrder: .sorted).write(value), as: UTF8.self)
        #expect(compact == #"{"a":[],"b/c":"tab\there \"q\" \\ \u0001 é","list":[1,false,null],"none":{}}"#)
        #expect(try JSONParser.parse(Array(pretty.utf8)) == value)
    }

    @Test func plainTreeAccessorsAndSortedCopy() throws {
        let value = try JSONParser.parse(Array(#"{"n": 18446744073709551615, "u": 4294967295, "f": 1.0, "s": ["a", "b"], "m": ["a", 1], "o": {"b": 1, "a": [{"d": 0, "c": 0}]}}"#.utf8))
        #expect(value["n"]?.uint32Value == nil && value["u"]?.uint32Value == UInt32.max && value["f"]?.uint32Value == nil)
        #expect(value["s"]?.stringArray == ["a", "b"] && value["m"]?.stringArray == nil && value["missing"] == nil)
        #expect(JSONValue.number(UInt32(7)) == .number("7"))
        let sorted = String(decoding: JSONWriter(indent: nil, keyOrder: .asBuilt).write(value["o"]!.sortedByKey), as: UTF8.self)
        #expect(sorted == #"{"a":[{"c":0,"d":0}],"b":1}"#)
        #expect(String(decoding: JSONWriter.textFile(.object([("k", .array([]))])), as: UTF8.self) == "{\n  \"k\": []\n}\n")
    }

    struct Sample: Codable, Equatable {
        var name: String
        var uid: UInt32
        var tags: [String]?
    }

    @Test func codableRoundTripsAndDecodeErrorsNameThePath() throws {
        let sample = Sample(name: "a", uid: 7, tags: nil)
        let value = encodeJSONValue(sample)
        #expect(String(decoding: JSONWriter(indent: nil, keyOrder: .asBuilt).write(value), as: UTF8.self) == #"{"name":"a","uid":7}"#)
        #expect(try decodeJSONValue(Sample.self, from: value) == sample)

        let wrong = try JSONParser.parse(Array(#"{"name": "a", "uid": -1, "tags": ["x", 2]}"#.utf8))
        #expect(throws: JSONError(path: JSONPath([.key("uid")]), message: "number -1 out of range for uint32 (0...4294967295)")) {
            try decodeJSONValue(Sample.self, from: wrong)
        }
        let missing = try JSONParser.parse(Array(#"{"uid": 1}"#.utf8))
        #expect(throws: JSONError(path: JSONPath([.key("name")]), message: "required field is missing")) {
            try decodeJSONValue(Sample.self, from: missing)
        }
    }
}
