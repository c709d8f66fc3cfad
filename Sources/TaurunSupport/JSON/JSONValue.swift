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
    case object([(key: String, value: JSONValue)])

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
}
