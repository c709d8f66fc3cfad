/// `JSONTree` → pretty JSON bytes: `indent` per level (two spaces, or a tab for config.json as `runc spec` and
/// TaurunOCI write it), `"key": value`, members in the tree's order (callers that want sorted keys build the tree
/// sorted), slashes and non-ASCII left as they are, a newline at the end. The layout and the escapes are TaurunOCI's
/// JSONWriter's, so a config.json written here is byte for byte `Spec.encodedJSON()`. The same tree always gives the
/// same bytes.
enum JSONTreeWriter {
    static func write(_ value: JSONTree, indent: String = "  ") -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        write(value, level: 0, indent: Array(indent.utf8), into: &out)
        out.append(0x0A)
        return out
    }

    private static func newline(_ level: Int, _ indent: [UInt8], into out: inout [UInt8]) {
        out.append(0x0A)
        for _ in 0..<level { out.append(contentsOf: indent) }
    }

    private static func write(_ value: JSONTree, level: Int, indent: [UInt8], into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let text): out.append(contentsOf: text.utf8)
        case .string(let text): writeString(text, into: &out)
        case .array(let items):
            guard !items.isEmpty else { return out.append(contentsOf: "[]".utf8) }
            out.append(UInt8(ascii: "["))
            for (position, item) in items.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1, indent, into: &out)
                write(item, level: level + 1, indent: indent, into: &out)
            }
            newline(level, indent, into: &out)
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            guard !members.isEmpty else { return out.append(contentsOf: "{}".utf8) }
            out.append(UInt8(ascii: "{"))
            for (position, member) in members.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1, indent, into: &out)
                writeString(member.key, into: &out)
                out.append(contentsOf: ": ".utf8)
                write(member.value, level: level + 1, indent: indent, into: &out)
            }
            newline(level, indent, into: &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        // Runs of bytes that need no escape are copied whole (most strings are one run).
        text.withUTF8 { bytes in
            var runStart = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                appendEscape(byte, into: &out)
                runStart = index + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// TaurunOCI's escapes: the short forms for quote, backslash, \n, \r, \t; \u00XX for other control bytes.
    private static func appendEscape(_ byte: UInt8, into out: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
        case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
        case 0x0A: out.append(contentsOf: #"\n"#.utf8)
        case 0x0D: out.append(contentsOf: #"\r"#.utf8)
        case 0x09: out.append(contentsOf: #"\t"#.utf8)
        default:
            let hex = Array("0123456789abcdef".utf8)
            out.append(contentsOf: #"\u00"#.utf8)
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0xF)])
        }
    }
}
