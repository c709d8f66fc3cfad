// A type read from and written to a JSONValue by its own hand-written code instead of Codable. Codable's
// synthesized conformances cost the Swift runtime a metadata instantiation and a conformance scan (of every record in
// the binary) for each type and container they touch, several million instructions for one config.json; this costs
// a function call per field. The rules and messages are JSONValueDecoder's (they share JSONScalar): the same
// document gives the same value or the same error, with the same JSON path.

public protocol JSONValueConvertible {
    /// Reads the value; an error's path is relative to `json` (the callers of `JSONObjectReader` prefix theirs).
    init(json: JSONValue) throws(JSONError)
    /// The value as a document; optional members that are nil are left out, as Codable's `encodeIfPresent` does.
    var json: JSONValue { get }
}

extension JSONError {
    /// The same error one level further out: `component` is where the failing value sits in its parent.
    @inlinable
    public func within(_ component: JSONPath.Component) -> JSONError {
        var error = self
        error.path.components.insert(component, at: 0)
        return error
    }
}

extension String: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) { self = try JSONScalar.decodeString(json, JSONPath()) }
    public var json: JSONValue { .string(self) }
}

extension Bool: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) { self = try JSONScalar.decodeBool(json, JSONPath()) }
    public var json: JSONValue { .bool(self) }
}

// Each integer width separately (not one generic extension): `decodeInteger` is specialized here, in this module,
// and the messages name the width ("expected uint32, got number -1").

extension Int: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) { self = try JSONScalar.decodeInteger(Int.self, json, JSONPath()) }
    public var json: JSONValue { .number(String(self)) }
}

extension Int32: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) { self = try JSONScalar.decodeInteger(Int32.self, json, JSONPath()) }
    public var json: JSONValue { .number(String(self)) }
}

extension Int64: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) { self = try JSONScalar.decodeInteger(Int64.self, json, JSONPath()) }
    public var json: JSONValue { .number(String(self)) }
}

extension UInt16: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) { self = try JSONScalar.decodeInteger(UInt16.self, json, JSONPath()) }
    public var json: JSONValue { .number(String(self)) }
}

extension UInt32: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) { self = try JSONScalar.decodeInteger(UInt32.self, json, JSONPath()) }
    public var json: JSONValue { .number(String(self)) }
}

extension UInt64: JSONValueConvertible {
    public init(json: JSONValue) throws(JSONError) { self = try JSONScalar.decodeInteger(UInt64.self, json, JSONPath()) }
    public var json: JSONValue { .number(String(self)) }
}

extension Array: JSONValueConvertible where Element: JSONValueConvertible {
    @inlinable
    public init(json: JSONValue) throws(JSONError) {
        guard case .array(let elements) = json else {
            throw JSONError(path: JSONPath(), message: "expected array, got \(json.excerpt)")
        }
        var result: [Element] = []
        result.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            do { result.append(try Element(json: element)) } catch { throw error.within(.index(index)) }
        }
        self = result
    }

    @inlinable
    public var json: JSONValue { .array(map(\.json)) }
}

/// A JSON object used as a map (annotations, sysctl, ...): every member is an entry.
extension Dictionary: JSONValueConvertible where Key == String, Value: JSONValueConvertible {
    @inlinable
    public init(json: JSONValue) throws(JSONError) {
        guard case .object(let members) = json else {
            throw JSONError(path: JSONPath(), message: "expected object, got \(json.excerpt)")
        }
        var result: [String: Value] = [:]
        result.reserveCapacity(members.count)
        for member in members {
            do { result[member.key] = try Value(json: member.value) } catch { throw error.within(.key(member.key)) }
        }
        self = result
    }

    /// Entries sorted by key (UTF-8 order, as the writer's `.sorted`), so the value is the same whatever the hash order.
    @inlinable
    public var json: JSONValue {
        .object(sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { ($0.key, $0.value.json) })
    }
}
