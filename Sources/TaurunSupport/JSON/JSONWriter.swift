// Serializes a JSONValue: pretty (Go's MarshalIndent layout, `"key": value`) or compact, keys sorted or in
// document order. Slashes are not escaped; control characters are, so the output is always one valid document.

public struct JSONWriter {
    public enum KeyOrder {
        case sorted
        case asBuilt
    }

    /// nil: compact, one line.
    public var indent: String?
    public var keyOrder: KeyOrder

    public init(indent: String?, keyOrder: KeyOrder) {
        self.indent = indent
        self.keyOrder = keyOrder
    }

    /// A document as a file people read: two-space indent, members as built, a final newline.
    public static func textFile(_ value: JSONValue) -> [UInt8] {
        JSONWriter(indent: "  ", keyOrder: .asBuilt).write(value) + [0x0A]
    }

        public func write(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        let indentBytes = indent.map { Array($0.utf8) }
        write(value, level: 0, indent: indentBytes, into: &out)
        return out
    }

    private func write(_ value: JSONValue, level: Int, indent: [UInt8]?, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let text): out.append(contentsOf: text.utf8)
        case .string(let text): writeString(text, into: &out)
        case .array(let elements):
            guard !elements.isEmpty else {
                out.append(contentsOf: "[]".utf8)
                return
            }
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1, indent, into: &out)
                write(element, level: level + 1, indent: indent, into: &out)
            }
            newline(level, indent, into: &out)
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            guard !members.isEmpty else {
                out.append(contentsOf: "{}".utf8)
                return
            }
            let ordered = keyOrder == .sorted ? members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } : members
            out.append(UInt8(ascii: "{"))
            for (index, member) in ordered.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1, indent, into: &out)
                writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                if indent != nil { out.append(UInt8(ascii: " ")) }
                write(member.value, level: level + 1, indent: indent, into: &out)
            }
            newline(level, indent, into: &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    private func newline(_ level: Int, _ indent: [UInt8]?, into out: inout [UInt8]) {
        guard let indent else { return }
        out.append(0x0A)
        for _ in 0..<level { out.append(contentsOf: indent) }
    }

    private func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(contentsOf: text.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
