/// One D-Bus value with its type, for the few signatures the systemd driver sends and reads (D-Bus specification,
/// "Type System"). Unix fds and the GVariant-only types are left out: systemd's unit API does not need them.
public indirect enum DBusValue: Equatable, Sendable {
    case byte(UInt8)
    case bool(Bool)
    case int16(Int16)
    case uint16(UInt16)
    case int32(Int32)
    case uint32(UInt32)
    case int64(Int64)
    case uint64(UInt64)
    case double(Double)
    case string(String)
    case objectPath(String)
    case signature(String)
    /// The element signature is kept so an empty array still has a type (e.g. `a(ss)` with no entries).
    case array(element: String, [DBusValue])
    case structure([DBusValue])
    /// Only valid as the element of an array: `a{sv}`.
    case dictEntry(DBusValue, DBusValue)
    case variant(DBusValue)

    /// The value's single complete type.
    public var signature: String {
        switch self {
        case .byte: "y"
        case .bool: "b"
        case .int16: "n"
        case .uint16: "q"
        case .int32: "i"
        case .uint32: "u"
        case .int64: "x"
        case .uint64: "t"
        case .double: "d"
        case .string: "s"
        case .objectPath: "o"
        case .signature: "g"
        case .array(let element, _): "a" + element
        case .structure(let fields): "(" + fields.map(\.signature).joined() + ")"
        case .dictEntry(let key, let value): "{" + key.signature + value.signature + "}"
        case .variant: "v"
        }
    }

    /// A `(sv)` pair, the shape of every systemd unit property.
    public static func property(_ name: String, _ value: DBusValue) -> DBusValue {
        .structure([.string(name), .variant(value)])
    }

    public var stringValue: String? {
        switch self {
        case .string(let text), .objectPath(let text), .signature(let text): text
        case .variant(let inner): inner.stringValue
        default: nil
        }
    }

    public var uint32Value: UInt32? {
        switch self {
        case .uint32(let number): number
        case .variant(let inner): inner.uint32Value
        default: nil
        }
    }
}

/// Splitting and checking signatures.
enum DBusSignature {
    /// The D-Bus limit on container nesting (32 arrays + 32 structs); deeper input is malformed.
    static let maximumDepth = 64

    /// The single complete types of `signature`, in order ("sa(sv)" → ["s", "a(sv)"]).
    static func completeTypes(_ signature: String) throws(DBusError) -> [String] {
        let characters = Array(signature.utf8)
        var types: [String] = []
        var index = 0
        while index < characters.count {
            let end = try endOfCompleteType(characters, from: index, depth: 0)
            types.append(String(decoding: characters[index..<end], as: UTF8.self))
            index = end
        }
        return types
    }

    /// The index just past the complete type starting at `start`.
    static func endOfCompleteType(_ characters: [UInt8], from start: Int, depth: Int) throws(DBusError) -> Int {
        guard depth <= maximumDepth else { throw .malformed("signature nests deeper than \(maximumDepth)") }
        guard start < characters.count else { throw .malformed("signature ends inside a container type") }
        switch characters[start] {
        case UInt8(ascii: "y"), UInt8(ascii: "b"), UInt8(ascii: "n"), UInt8(ascii: "q"), UInt8(ascii: "i"), UInt8(ascii: "u"),
             UInt8(ascii: "x"), UInt8(ascii: "t"), UInt8(ascii: "d"), UInt8(ascii: "s"), UInt8(ascii: "o"), UInt8(ascii: "g"),
             UInt8(ascii: "v"), UInt8(ascii: "h"):
            return start + 1
        case UInt8(ascii: "a"):
            return try endOfCompleteType(characters, from: start + 1, depth: depth + 1)
        case UInt8(ascii: "("):
            var index = start + 1
            guard index < characters.count, characters[index] != UInt8(ascii: ")") else { throw .malformed("empty struct in signature") }
            while index < characters.count, characters[index] != UInt8(ascii: ")") {
                index = try endOfCompleteType(characters, from: index, depth: depth + 1)
            }
            guard index < characters.count else { throw .malformed("unterminated struct in signature") }
            return index + 1
        case UInt8(ascii: "{"):
            let keyEnd = try endOfCompleteType(characters, from: start + 1, depth: depth + 1)
            let valueEnd = try endOfCompleteType(characters, from: keyEnd, depth: depth + 1)
            guard valueEnd < characters.count, characters[valueEnd] == UInt8(ascii: "}") else {
                throw .malformed("dict entry in signature must hold exactly two types")
            }
            return valueEnd + 1
        default:
            throw .malformed("unknown type code \"\(String(decoding: [characters[start]], as: UTF8.self))\" in signature")
        }
    }

    /// Alignment of a type in bytes, by its first code.
    static func alignment(of signature: Substring.UTF8View.Element) -> Int {
        switch signature {
        case UInt8(ascii: "n"), UInt8(ascii: "q"): 2
        case UInt8(ascii: "b"), UInt8(ascii: "i"), UInt8(ascii: "u"), UInt8(ascii: "s"), UInt8(ascii: "o"), UInt8(ascii: "a"), UInt8(ascii: "h"): 4
        case UInt8(ascii: "x"), UInt8(ascii: "t"), UInt8(ascii: "d"), UInt8(ascii: "("), UInt8(ascii: "{"): 8
        default: 1
        }
    }
}
