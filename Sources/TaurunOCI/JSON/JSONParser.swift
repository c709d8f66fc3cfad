// A strict RFC 8259 parser over raw bytes. It exists (instead of JSONDecoder alone) so that hostile input fails
// with a path and a position rather than a crash: nesting is capped before recursing, NUL bytes and invalid UTF-8
// in strings are rejected, duplicate keys are rejected (two readers could otherwise disagree on which one counts).

struct JSONParseError: Error {
    var path: JSONPath
    var message: String
}

struct JSONParser {
    /// Deeper documents are refused before the parser recurses any further, so depth can never exhaust the stack.
    static let maximumDepth = 64

    private let bytes: [UInt8]
    private var offset = 0

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        if parser.offset == bytes.count {
            throw JSONParseError(path: JSONPath(), message: bytes.isEmpty ? "empty file" : "invalid JSON: no value, only whitespace")
        }
        let value = try parser.parseValue(path: JSONPath(), depth: 0)
        parser.skipWhitespace()
        if parser.offset != bytes.count {
            throw parser.failure(JSONPath(), "invalid JSON: unexpected \(parser.describeCurrentByte()) after the top-level value")
        }
        return value
    }

    // MARK: values

    private mutating func parseValue(path: JSONPath, depth: Int) throws(JSONParseError) -> JSONValue {
        guard offset < bytes.count else { throw endOfInput(path) }
        switch bytes[offset] {
        case UInt8(ascii: "{"):
            return try parseObject(path: path, depth: depth + 1)
        case UInt8(ascii: "["):
            return try parseArray(path: path, depth: depth + 1)
        case UInt8(ascii: "\""):
            return .string(try parseString(path: path))
        case UInt8(ascii: "t"):
            try expectLiteral("true", path: path)
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false", path: path)
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null", path: path)
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber(path: path))
        default:
            throw failure(path, "invalid JSON: unexpected \(describeCurrentByte())")
        }
    }

    private mutating func parseObject(path: JSONPath, depth: Int) throws(JSONParseError) -> JSONValue {
        try checkDepth(depth)
        offset += 1  // {
        var members: [(key: String, value: JSONValue)] = []
        var seen: Set<String> = []
        skipWhitespace()
        if try peek(path) == UInt8(ascii: "}") {
            offset += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard try peek(path) == UInt8(ascii: "\"") else {
                throw failure(path, "invalid JSON: expected a quoted member name, found \(describeCurrentByte())")
            }
            let key = try parseString(path: path)
            let memberPath = path.appending(key: key)
            guard seen.insert(key).inserted else {
                throw JSONParseError(path: memberPath, message: "duplicate key \(jsonQuoted(key))")
            }
            skipWhitespace()
            guard try peek(memberPath) == UInt8(ascii: ":") else {
                throw failure(memberPath, "invalid JSON: expected ':' after the member name, found \(describeCurrentByte())")
            }
            offset += 1
            skipWhitespace()
            let value = try parseValue(path: memberPath, depth: depth)
            members.append((key, value))
            skipWhitespace()
            switch try peek(path) {
            case UInt8(ascii: ","):
                offset += 1
            case UInt8(ascii: "}"):
                offset += 1
                return .object(members)
            default:
                throw failure(path, "invalid JSON: expected ',' or '}' in object, found \(describeCurrentByte())")
            }
        }
    }

    private mutating func parseArray(path: JSONPath, depth: Int) throws(JSONParseError) -> JSONValue {
        try checkDepth(depth)
        offset += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if try peek(path) == UInt8(ascii: "]") {
            offset += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(path: path.appending(index: elements.count), depth: depth))
            skipWhitespace()
            switch try peek(path) {
            case UInt8(ascii: ","):
                offset += 1
            case UInt8(ascii: "]"):
                offset += 1
                return .array(elements)
            default:
                throw failure(path, "invalid JSON: expected ',' or ']' in array, found \(describeCurrentByte())")
            }
        }
    }

    private func checkDepth(_ depth: Int) throws(JSONParseError) {
        if depth > Self.maximumDepth {
            // The path would be as long as the nesting; the position says where it happened.
            throw failure(JSONPath(), "JSON nested deeper than \(Self.maximumDepth) levels")
        }
    }

    // MARK: scalars

    private mutating func expectLiteral(_ literal: StaticString, path: JSONPath) throws(JSONParseError) {
        let text = literal.utf8Start
        for index in 0..<literal.utf8CodeUnitCount {
            guard offset < bytes.count else { throw endOfInput(path) }
            guard bytes[offset] == text[index] else {
                throw failure(path, "invalid JSON: unexpected \(describeCurrentByte())")
            }
            offset += 1
        }
    }

    /// Validates the RFC 8259 number grammar and returns the text unchanged.
    private mutating func parseNumber(path: JSONPath) throws(JSONParseError) -> String {
        let start = offset
        if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        guard offset < bytes.count else { throw endOfInput(path) }
        if bytes[offset] == UInt8(ascii: "0") {
            offset += 1
        } else if isDigit(bytes[offset]) {
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        } else {
            throw failure(path, "invalid JSON: malformed number")
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw failure(path, "invalid JSON: malformed number") }
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw failure(path, "invalid JSON: malformed number") }
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        }
        if offset < bytes.count, isDigit(bytes[offset]) {
            throw failure(path, "invalid JSON: malformed number (leading zero)")
        }
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    private mutating func parseString(path: JSONPath) throws(JSONParseError) -> String {
        offset += 1  // opening quote
        var utf8: [UInt8] = []
        while true {
            guard offset < bytes.count else { throw endOfInput(path) }
            let byte = bytes[offset]
            switch byte {
            case UInt8(ascii: "\""):
                offset += 1
                return try finishString(utf8, path: path)
            case UInt8(ascii: "\\"):
                offset += 1
                try parseEscape(into: &utf8, path: path)
            case 0:
                throw JSONParseError(path: path, message: "NUL byte in string")
            case 0x01..<0x20:
                throw failure(path, "invalid JSON: unescaped control character 0x\(String(byte, radix: 16)) in string")
            default:
                utf8.append(byte)
                offset += 1
            }
        }
    }

    private func finishString(_ utf8: [UInt8], path: JSONPath) throws(JSONParseError) -> String {
        guard let text = String(validating: utf8, as: UTF8.self) else {
            throw failure(path, "invalid UTF-8 in string")
        }
        if utf8.contains(0) {
            throw JSONParseError(path: path, message: "NUL byte in string \(jsonQuoted(text))")
        }
        return text
    }

    private mutating func parseEscape(into utf8: inout [UInt8], path: JSONPath) throws(JSONParseError) {
        guard offset < bytes.count else { throw endOfInput(path) }
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
            var scalar = try parseHex4(path: path)
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low surrogate.
                guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                    throw failure(path, "invalid JSON: unpaired surrogate in \\u escape")
                }
                offset += 2
                let low = try parseHex4(path: path)
                guard (0xDC00..<0xE000).contains(low) else {
                    throw failure(path, "invalid JSON: unpaired surrogate in \\u escape")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw failure(path, "invalid JSON: unpaired surrogate in \\u escape")
            }
            guard let unicode = Unicode.Scalar(scalar) else {
                throw failure(path, "invalid JSON: bad \\u escape")
            }
            utf8.append(contentsOf: Array(String(Character(unicode)).utf8))
        default:
            offset -= 1
            let shown = escape >= 0x21 && escape < 0x7F ? "'\\\(Character(Unicode.Scalar(escape)))'" : describeCurrentByte()
            throw failure(path, "invalid JSON: unknown escape \(shown)")
        }
    }

    private mutating func parseHex4(path: JSONPath) throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard offset < bytes.count else { throw endOfInput(path) }
            let byte = bytes[offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw failure(path, "invalid JSON: bad \\u escape")
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

    private func peek(_ path: JSONPath) throws(JSONParseError) -> UInt8 {
        guard offset < bytes.count else { throw endOfInput(path) }
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
    private func position() -> String {
        var line = 1
        var column = 1
        for byte in bytes[0..<min(offset, bytes.count)] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return "line \(line), column \(column)"
    }

    private func failure(_ path: JSONPath, _ message: String) -> JSONParseError {
        JSONParseError(path: path, message: "\(message) at \(position())")
    }

    private func endOfInput(_ path: JSONPath) -> JSONParseError {
        JSONParseError(path: path, message: "invalid JSON: unexpected end of input (truncated file?) at \(position())")
    }
}
