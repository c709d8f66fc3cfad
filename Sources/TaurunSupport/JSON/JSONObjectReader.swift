// The members of one JSON object, read field by field by a JSONValueConvertible type. The rules are those of
// JSONValueDecoder's keyed container: a missing required member is "required field is missing" at its path, an
// optional member that is absent or null is nil, unknown members are ignored, and an error inside a member gets
// the member's key in front of its path.

public struct JSONObjectReader {
    @usableFromInline let members: [JSONValue.Member]

    /// "expected object, got X" for anything but an object.
    public init(_ json: JSONValue) throws(JSONError) {
        guard case .object(let members) = json else {
            throw JSONError(path: JSONPath(), message: "expected object, got \(json.excerpt)")
        }
        self.members = members
    }

    /// The member's value, null included; nil when there is no such member. The spec's objects are small: a linear
    /// scan beats building a dictionary.
    @inlinable
    public func member(_ key: String) -> JSONValue? {
        for member in members where member.key == key { return member.value }
        return nil
    }

    @inlinable
    public func required<T: JSONValueConvertible>(_ key: String, as type: T.Type = T.self) throws(JSONError) -> T {
        guard let value = member(key) else {
            throw JSONError(path: JSONPath([.key(key)]), message: "required field is missing")
        }
        do { return try T(json: value) } catch { throw error.within(.key(key)) }
    }

    @inlinable
    public func optional<T: JSONValueConvertible>(_ key: String, as type: T.Type = T.self) throws(JSONError) -> T? {
        guard let value = member(key) else { return nil }
        if case .null = value { return nil }
        do { return try T(json: value) } catch { throw error.within(.key(key)) }
    }
}

/// Builds an object's members in the order they are added (the writer sorts them when asked to); nil optionals are
/// left out.
public struct JSONObjectBuilder {
    public var members: [JSONValue.Member] = []

    public init(capacity: Int = 8) {
        members.reserveCapacity(capacity)
    }

    @inlinable
    public mutating func add<T: JSONValueConvertible>(_ key: String, _ value: T) {
        members.append((key, value.json))
    }

    @inlinable
    public mutating func add<T: JSONValueConvertible>(_ key: String, _ value: T?) {
        if let value { members.append((key, value.json)) }
    }

    public var json: JSONValue { .object(members) }
}
