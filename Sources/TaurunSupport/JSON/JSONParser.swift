// A strict RFC 8259 parser over raw bytes. It exists (instead of JSONDecoder alone) so that hostile input fails
// with a path and a position rather than a crash: nesting is capped before recursing, NUL bytes and invalid UTF-8
// in strings are rejected, duplicate keys are rejected (two readers could otherwise disagree on which one counts).

public struct JSONParser {
    /// Deeper documents are refused before the parser recurses any further, so depth can never exhaust the stack.
    public static let maximumDepth = 64

    private let bytes: [UInt8]
    private var offset = 0
    /// Where the parser is, kept as a stack (push on entering a member or element, pop on leaving) so that the
    /// common, successful parse allocates no path at all; a JSONPath is built only for an error.
    private var pathStack: [JSONPath.Component] = []

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        if parser.offset == bytes.count {
            throw JSONError(path: JSONPath(), message: bytes.isEmpty ? "empty file" : "invalid JSON: no value, only whitespace")
        }
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.offset != bytes.count {
            throw parser.failure("invalid JSON: unexpected \(parser.describeCurrentByte()) after the top-level value")
        }
        return value
    }

    // MARK: values

    private mutating func parseValue(depth: Int) throws(JSONError) -> JSONValue {
        guard offset < bytes.count else { throw endOfInput() }
        switch bytes[offset] {
        case UInt8(ascii: "{"):
            return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["):
            return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        default:
            throw failure("invalid JSON: unexpected \(describeCurrentByte())")
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONError) -> JSONValue {
        try checkDepth(depth)
        offset += 1  // {
        var members: [(key: String, value: JSONValue)] = []
        var seen: Set<String> = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            offset += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard try peek() == UInt8(ascii: "\"") else {
                throw failure("invalid JSON: expected a quoted member name, found \(describeCurrentByte())")
            }
            let key = try parseString()
            pathStack.append(.key(key))
            if isDuplicate(key, in: members, seen: &seen) {
                throw JSONError(path: currentPath, message: "duplicate key \(jsonQuoted(key))")
            }
            skipWhitespace()
            guard try peek() == UInt8(ascii: ":") else {
                throw failure("invalid JSON: expected ':' after the member name, found \(describeCurrentByte())")
            }
            offset += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            pathStack.removeLast()
            members.append((key, value))
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","):
                offset += 1
            case UInt8(ascii: "}"):
                offset += 1
                return .object(members)
            default:
                throw failure("invalid JSON: expected ',' or '}' in object, found \(describeCurrentByte())")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONError) -> JSONValue {
        try checkDepth(depth)
        offset += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            offset += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            pathStack.append(.index(elements.count))
            elements.append(try parseValue(depth: depth))
            pathStack.removeLast()
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","):
                offset += 1
            case UInt8(ascii: "]"):
                offset += 1
                return .array(elements)
            default:
                throw failure("invalid JSON: expected ',' or ']' in array, found \(describeCurrentByte())")
            }
        }
    }

    private func checkDepth(_ depth: Int) throws(JSONError) {
        if depth > Self.maximumDepth {
            // The path would be as long as the nesting; the position says where it happened.
            throw JSONError(path: JSONPath(), reason: "JSON nested deeper than \(Self.maximumDepth) levels", position: position())
        }
    }

    // MARK: scalars

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
        let text = literal.utf8Start
        for index in 0..<literal.utf8CodeUnitCount {
            guard offset < bytes.count else { throw endOfInput() }
            guard bytes[offset] == text[index] else {
                throw failure("invalid JSON: unexpected \(describeCurrentByte())")
            }
            offset += 1
        }
    }

    /// Validates the RFC 8259 number grammar and returns the text unchanged.
    private mutating func parseNumber() throws(JSONError) -> String {
        let start = offset
        if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        guard offset < bytes.count else { throw endOfInput() }
        if bytes[offset] == UInt8(ascii: "0") {
            offset += 1
        } else if isDigit(bytes[offset]) {
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        } else {
            throw failure("invalid JSON: malformed number")
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw failure("invalid JSON: malformed number") }
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw failure("invalid JSON: malformed number") }
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        }
        if offset < bytes.count, isDigit(bytes[offset]) {
            throw failure("invalid JSON: malformed number (leading zero)")
        }
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    private mutating func parseString() throws(JSONError) -> String {
        offset += 1  // opening quote
        // Fast path: most strings have no escapes and can be validated straight from the input.
        let start = offset
        while offset < bytes.count, bytes[offset] != UInt8(ascii: "\""), bytes[offset] != UInt8(ascii: "\\"), bytes[offset] >= 0x20 {
            offset += 1
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") {
            guard let text = String(validating: bytes[start..<offset], as: UTF8.self) else {
                throw failure("invalid UTF-8 in string", at: start - 1)
            }
            offset += 1
            return text
        }
        var utf8 = Array(bytes[start..<offset])
        while true {
            guard offset < bytes.count else { throw endOfInput() }
            let byte = bytes[offset]
            switch byte {
            case UInt8(ascii: "\""):
                offset += 1
                return try finishString(utf8, openedAt: start - 1)
            case UInt8(ascii: "\\"):
                offset += 1
                try parseEscape(into: &utf8)
            case 0:
                throw JSONError(path: currentPath, message: "NUL byte in string")
            case 0x01..<0x20:
                throw failure("invalid JSON: unescaped control character 0x\(String(byte, radix: 16)) in string")
            default:
                utf8.append(byte)
                offset += 1
            }
        }
    }

    private func finishString(_ utf8: [UInt8], openedAt quote: Int) throws(JSONError) -> String {
        guard let text = String(validating: utf8, as: UTF8.self) else {
            throw failure("invalid UTF-8 in string", at: quote)
        }
        if utf8.contains(0) {
            throw JSONError(path: currentPath, message: "NUL byte in string \(jsonQuoted(text))")
        }
        return text
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws(JSONError) {
        guard offset < bytes.count else { throw endOfInput() }
        let escape = bytes[offset]
        offset += 1
        switch escape {
        case UInt8(ascii: "\""): utf8.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): utf8.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): utf8.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4()
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low surrogate.
                guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                    throw failure("invalid JSON: unpaired surrogate in \\u escape")
                }
                offset += 2
                let low = try parseHex4()
                guard (0xDC00..<0xE000).contains(low) else {
                    throw failure("invalid JSON: unpaired surrogate in \\u escape")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw failure("invalid JSON: unpaired surrogate in \\u escape")
            }
            guard let unicode = Unicode.Scalar(scalar) else {
                throw failure("invalid JSON: bad \\u escape")
            }
            utf8.append(contentsOf: Array(String(Character(unicode)).utf8))
        default:
            offset -= 1
            let shown = escape >= 0x21 && escape < 0x7F ? "'\\\(Character(Unicode.Scalar(escape)))'" : describeCurrentByte()
            throw failure("invalid JSON: unknown escape \(shown)")
        }
    }

    private mutating func parseHex4() throws(JSONError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard offset < bytes.count else { throw endOfInput() }
            let byte = bytes[offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw failure("invalid JSON: bad \\u escape")
            }
            value = value << 4 | digit
            offset += 1
        }
        return value
    }

    // MARK: helpers

    private mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return
            }
        }
    }

    private func peek() throws(JSONError) -> UInt8 {
        guard offset < bytes.count else { throw endOfInput() }
        return bytes[offset]
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private func describeCurrentByte() -> String {
        guard offset < bytes.count else { return "end of input" }
        let byte = bytes[offset]
        if byte >= 0x21 && byte < 0x7F {
            return "'\(Character(Unicode.Scalar(byte)))'"
        }
        return "byte 0x\(String(byte, radix: 16))"
    }

    /// Line and column (1-based, columns in bytes) of the current offset, for messages about broken syntax.
    private func position(_ at: Int? = nil) -> JSONError.Position {
        var line = 1
        var column = 1
        for byte in bytes[0..<min(at ?? offset, bytes.count)] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return JSONError.Position(line: line, column: column)
    }

    private var currentPath: JSONPath { JSONPath(pathStack) }

    /// Small objects (all of the spec's) are checked by a linear scan; a set is built only for large ones.
    private func isDuplicate(_ key: String, in members: [(key: String, value: JSONValue)], seen: inout Set<String>) -> Bool {
        if members.count < 16 {
            return members.contains { $0.key == key }
        }
        if seen.isEmpty { seen = Set(members.map(\.key)) }
        return !seen.insert(key).inserted
    }

    private func failure(_ message: String, at: Int? = nil) -> JSONError {
        JSONError(path: currentPath, reason: message, position: position(at))
    }

    private func endOfInput() -> JSONError {
        JSONError(path: currentPath, reason: "invalid JSON: unexpected end of input (truncated file?)", position: position())
    }
}
