// A location inside a JSON document, printed the way jq users read it: `linux.namespaces[2].type`.

public struct JSONPath: Sendable, Equatable, CustomStringConvertible {
    public enum Component: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    public var components: [Component]

    public init(_ components: [Component] = []) {
        self.components = components
    }

    /// From a Codable coding path. Array positions are keys with an intValue and no name of their own.
    init(_ codingPath: [any CodingKey]) {
        components = codingPath.map { key in
            if let index = key.intValue, key.stringValue == "Index \(index)" || key.stringValue.isEmpty {
                return .index(index)
            }
            return .key(key.stringValue)
        }
    }

    public func appending(_ component: Component) -> JSONPath {
        JSONPath(components + [component])
    }

    public func appending(key: String) -> JSONPath { appending(.key(key)) }
    public func appending(index: Int) -> JSONPath { appending(.index(index)) }

    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .index(let index):
                text += "[\(index)]"
            case .key(let key):
                if Self.isPlainKey(key) {
                    text += text.isEmpty ? key : ".\(key)"
                } else {
                    // Map keys such as sysctl names carry dots; brackets keep the path unambiguous.
                    text += "[\(jsonQuoted(key))]"
                }
            }
        }
        return text
    }

    private static func isPlainKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
        }
    }
}

/// A string as a JSON literal, so that values in messages are unambiguous (quotes, control characters, NUL) and
/// reach a terminal as text: C0, DEL and C1 controls (U+0080–U+009F: CSI, U+009B, starts an escape sequence in
/// many terminals) are written as \u escapes, still valid JSON.
public func jsonQuoted(_ text: String) -> String {
    // Most values need no escape: one byte scan instead of a String built scalar by scalar (the seccomp cache key
    // quotes every syscall name of a profile, about 1.3M instructions of a `run` the slow way). 0xC2 leads every C1
    // control in UTF-8 (and U+00A0–U+00BF, which the slow path keeps).
    if !text.utf8.contains(where: {
        $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\")
    }) {
        return "\"" + text + "\""
    }
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
