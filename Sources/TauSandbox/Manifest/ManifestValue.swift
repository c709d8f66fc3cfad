/// A format-neutral tree of manifest values. TOML and JSON are both read into this, so one decoder applies the same
/// rules (types, ranges, unknown keys) to every format.
public indirect enum ManifestValue: Equatable, Sendable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case bool(Bool)
    case array([ManifestValue])
    case table([String: ManifestValue])
    /// JSON null, or a TOML date/time: present but never an acceptable manifest value.
    case unsupported(typeName: String)

    var typeName: String {
        switch self {
        case .string: return "string"
        case .integer: return "integer"
        case .float: return "number"
        case .bool: return "boolean"
        case .array: return "array"
        case .table: return "table"
        case .unsupported(let typeName): return typeName
        }
    }

    /// A short rendering for error messages.
    var rendered: String {
        switch self {
        case .string(let text): return quoted(text)
        case .integer(let number): return String(number)
        case .float(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .array(let items): return "[" + items.prefix(4).map(\.rendered).joined(separator: ", ") + (items.count > 4 ? ", …]" : "]")
        case .table: return "{…}"
        case .unsupported(let typeName): return typeName
        }
    }
}
