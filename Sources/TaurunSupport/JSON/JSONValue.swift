// A parsed JSON document that keeps what Codable throws away: member order, the exact text of numbers
// (so range errors can quote them), and one node per value so errors can show the offending value.

public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number exactly as written; converted only when a field asks for a concrete type.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in document order; keys are unique (the parser rejects duplicates).
    case object([Member])

    public typealias Member = (key: String, value: JSONValue)

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    /// How a value is named in "expected X, got Y" messages: its kind, and for scalars the value itself.
    public var excerpt: String {
        switch self {
        case .null: "null"
        case .bool(let value): "boolean \(value)"
        case .number(let text): "number \(Self.shortened(text))"
        case .string(let text): "string \(jsonQuoted(Self.shortened(text)))"
        case .array: "array"
        case .object: "object"
        }
    }

    /// Keeps messages to one readable line even when the offending value is a megabyte long.
    public static func shortened(_ text: String) -> String {
        let limit = 64
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + "..."
    }

    // MARK: reading a parsed document without Codable (records whose readers want a plain tree walk)

    /// The value of `key` in an object (nil for a missing key or a non-object).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// An array of strings (nil if this is not an array or any item is not a string).
    public var stringArray: [String]? {
        guard case .array(let items) = self else { return nil }
        var result: [String] = []
        for item in items {
            guard let text = item.stringValue else { return nil }
            result.append(text)
        }
        return result
    }

    /// A non-negative integer that fits in UInt32 (nil for anything else, including 1.0 and 1e3).
    public var uint32Value: UInt32? {
        if case .number(let text) = self { return UInt32(text) }
        return nil
    }

    /// The same value with every object's members sorted by key (UTF-8 order, as the writer's `.sorted`): for a
    /// document written in built order that embeds one written sorted.
    public var sortedByKey: JSONValue {
        switch self {
        case .array(let elements): .array(elements.map(\.sortedByKey))
        case .object(let members):
            .object(members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { ($0.key, $0.value.sortedByKey) })
        default: self
        }
    }

    /// An integer as a JSON number.
    public static func number<Integer: BinaryInteger>(_ value: Integer) -> JSONValue { .number(String(value)) }
}
