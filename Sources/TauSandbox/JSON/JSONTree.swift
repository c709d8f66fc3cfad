/// A parsed JSON document, members in file order, numbers as their exact text.
///
/// Why TauSandbox reads and writes JSON itself instead of through Codable (FoundationEssentials' JSONDecoder and
/// JSONEncoder): convert must take ≤ 5 ms, and in taurun's static binary the first Codable pass over each type costs
/// runtime metadata instantiation and protocol-conformance scans over the whole binary — about 1 ms for a manifest,
/// ids.json, the grants file and the seccomp copy together, more than the rest of the conversion. A plain tree walk
/// costs microseconds. It also lets the parser report what Codable could not: duplicate keys and their line.
enum JSONTree: Equatable, Sendable {
    case null
    case bool(Bool)
    /// The number's text as written (validated JSON number syntax), so nothing is lost or re-rounded on a copy.
    case number(String)
    case string(String)
    case array([JSONTree])
    case object([Member])

    struct Member: Equatable, Sendable {
        var key: String
        var value: JSONTree

        init(_ key: String, _ value: JSONTree) {
            self.key = key
            self.value = value
        }
    }

    /// The value of `key` in an object (nil for a missing key or a non-object).
    subscript(key: String) -> JSONTree? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// An array of strings (nil if this is not an array or any item is not a string).
    var stringArray: [String]? {
        guard case .array(let items) = self else { return nil }
        var result: [String] = []
        for item in items {
            guard let text = item.stringValue else { return nil }
            result.append(text)
        }
        return result
    }

    /// A non-negative integer that fits in UInt32 (nil for anything else, including 1.0 and 1e3).
    var uint32Value: UInt32? {
        if case .number(let text) = self { return UInt32(text) }
        return nil
    }

    static func number(_ value: UInt32) -> JSONTree { .number(String(value)) }
}
