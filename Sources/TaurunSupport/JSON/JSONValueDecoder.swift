// A Codable Decoder over JSONValue. Written here (rather than using JSONDecoder) so every failure carries the JSON
// path and the offending value in words a user can act on: "expected uint32, got number -1", "required field is
// missing", "number 4294967296 out of range for uint32". Unknown members are ignored, as the spec requires.

/// Decodes `T` from a parsed document; failures are `JSONError`s.
public func decodeJSONValue<T: Decodable>(_ type: T.Type, from value: JSONValue) throws(JSONError) -> T {
    do {
        return try T(from: JSONValueDecoder(value: value))
    } catch let error as JSONError {
        throw error
    } catch let error as DecodingError {
        throw JSONError(decodingError: error)
    } catch {
        throw JSONError(path: JSONPath(), message: "\(error)")
    }
}

extension JSONError {
    /// For DecodingErrors thrown by stdlib conformances we do not control.
    init(decodingError: DecodingError) {
        switch decodingError {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            self.init(path: JSONPath(context.codingPath), message: context.debugDescription)
        case .keyNotFound(let key, let context):
            self.init(path: JSONPath(context.codingPath).appending(key: key.stringValue), message: "required field is missing")
        @unknown default:
            self.init(path: JSONPath(), message: "\(decodingError)")
        }
    }
}

/// The coding key this decoder reports; array positions have an intValue and the name "Index N".
struct JSONCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    init(intValue: Int) {
        self.stringValue = "Index \(intValue)"
        self.intValue = intValue
    }
}

final class JSONValueDecoder: Decoder {
    let value: JSONValue
    /// The decoder of the enclosing object or array; the path is rebuilt from this chain only when needed (errors),
    /// so a successful decode allocates no paths.
    private let parent: JSONValueDecoder?
    private let component: JSONPath.Component?

    init(value: JSONValue, parent: JSONValueDecoder? = nil, component: JSONPath.Component? = nil) {
        self.value = value
        self.parent = parent
        self.component = component
    }

    var path: JSONPath {
        var components: [JSONPath.Component] = []
        var node: JSONValueDecoder? = self
        while let current = node {
            if let component = current.component { components.append(component) }
            node = current.parent
        }
        return JSONPath(components.reversed())
    }

    func child(_ value: JSONValue, _ component: JSONPath.Component) -> JSONValueDecoder {
        JSONValueDecoder(value: value, parent: self, component: component)
    }

    var codingPath: [any CodingKey] { path.codingPath }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else {
            throw JSONError(path: path, message: "expected object, got \(value.excerpt)")
        }
        return KeyedDecodingContainer(JSONKeyedContainer<Key>(members: members, owner: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else {
            throw JSONError(path: path, message: "expected array, got \(value.excerpt)")
        }
        return JSONUnkeyedContainer(elements: elements, owner: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        JSONSingleValueContainer(owner: self)
    }
}

extension JSONPath {
    /// Where `decoder` is: exact (rebuilt from the decoder chain) for this module's decoder, else from its coding path.
    /// For a type's own `init(from:)` that throws a JSONError for a well-typed value it does not allow.
    public init(of decoder: any Decoder) {
        self = (decoder as? JSONValueDecoder)?.path ?? JSONPath(decoder.codingPath)
    }

    /// As Codable coding keys; array positions get an intValue and the name "Index N".
    var codingPath: [any CodingKey] {
        components.map { component in
            switch component {
            case .key(let key): JSONCodingKey(stringValue: key)
            case .index(let index): JSONCodingKey(intValue: index)
            }
        }
    }
}

/// Scalar conversions shared by the three container kinds.
enum JSONScalar {
    static func decodeBool(_ value: JSONValue, _ path: @autoclosure () -> JSONPath) throws(JSONError) -> Bool {
        guard case .bool(let flag) = value else {
            throw JSONError(path: path(), message: "expected boolean, got \(value.excerpt)")
        }
        return flag
    }

    static func decodeString(_ value: JSONValue, _ path: @autoclosure () -> JSONPath) throws(JSONError) -> String {
        guard case .string(let text) = value else {
            throw JSONError(path: path(), message: "expected string, got \(value.excerpt)")
        }
        return text
    }

    static func decodeInteger<T: FixedWidthInteger>(_ type: T.Type, _ value: JSONValue, _ path: @autoclosure () -> JSONPath) throws(JSONError) -> T {
        guard case .number(let text) = value else {
            throw JSONError(path: path(), message: "expected \(integerName(type)), got \(value.excerpt)")
        }
        // The parser has checked the grammar; an integer literal is an optional '-' and digits only.
        let isIntegerLiteral = !text.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
        guard isIntegerLiteral else {
            throw JSONError(path: path(), message: "expected \(integerName(type)), got \(value.excerpt)")
        }
        guard let integer = T(text, radix: 10) else {
            throw JSONError(path: path(), message: "number \(JSONValue.shortened(text)) out of range for \(integerName(type)) (\(T.min)...\(T.max))")
        }
        return integer
    }

    static func decodeDouble(_ value: JSONValue, _ path: @autoclosure () -> JSONPath) throws(JSONError) -> Double {
        guard case .number(let text) = value, let number = Double(text), number.isFinite else {
            throw JSONError(path: path(), message: "expected number, got \(value.excerpt)")
        }
        return number
    }

    static func integerName<T: FixedWidthInteger>(_ type: T.Type) -> String {
        (T.isSigned ? "int" : "uint") + (T.bitWidth == Int.bitWidth && (type == Int.self || type == UInt.self) ? "" : "\(T.bitWidth)")
    }

    static func decodeNested<T: Decodable>(_ type: T.Type, _ decoder: JSONValueDecoder) throws -> T {
        try T(from: decoder)
    }
}

struct JSONKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [(key: String, value: JSONValue)]
    /// Built only for large objects; the spec's objects are small enough that a linear scan is faster.
    let index: [String: JSONValue]?
    let owner: JSONValueDecoder

    init(members: [(key: String, value: JSONValue)], owner: JSONValueDecoder) {
        self.members = members
        // The parser guarantees unique keys, so this cannot trap on duplicates.
        self.index = members.count > 16 ? Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last }) : nil
        self.owner = owner
    }

    var codingPath: [any CodingKey] { owner.codingPath }

    var allKeys: [Key] { members.compactMap { Key(stringValue: $0.key) } }

    private func lookup(_ name: String) -> JSONValue? {
        if let index { return index[name] }
        return members.first { $0.key == name }?.value
    }

    func contains(_ key: Key) -> Bool { lookup(key.stringValue) != nil }

    private func require(_ key: Key) throws(JSONError) -> JSONValueDecoder {
        guard let value = lookup(key.stringValue) else {
            throw JSONError(path: owner.path.appending(key: key.stringValue), message: "required field is missing")
        }
        return owner.child(value, .key(key.stringValue))
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        try require(key).value == .null
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        let member = try require(key)
        return try JSONScalar.decodeBool(member.value, member.path)
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        let member = try require(key)
        return try JSONScalar.decodeString(member.value, member.path)
    }

    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        let member = try require(key)
        return try JSONScalar.decodeDouble(member.value, member.path)
    }

    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        let member = try require(key)
        return Float(try JSONScalar.decodeDouble(member.value, member.path))
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(type, key) }

    private func integer<T: FixedWidthInteger>(_ type: T.Type, _ key: Key) throws(JSONError) -> T {
        let member = try require(key)
        return try JSONScalar.decodeInteger(type, member.value, member.path)
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try JSONScalar.decodeNested(type, try require(key))
    }

    // decodeIfPresent, once per optional field: one lookup instead of the default's contains + decodeNil + decode.

    /// The member's decoder, or nil when the member is absent or null (the spec's "not set").
    private func optional(_ key: Key) -> JSONValueDecoder? {
        guard let value = lookup(key.stringValue), value != .null else { return nil }
        return owner.child(value, .key(key.stringValue))
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let member = optional(key) else { return nil }
        return try JSONScalar.decodeBool(member.value, member.path)
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let member = optional(key) else { return nil }
        return try JSONScalar.decodeString(member.value, member.path)
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try optionalInteger(type, key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try optionalInteger(type, key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try optionalInteger(type, key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try optionalInteger(type, key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try optionalInteger(type, key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try optionalInteger(type, key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try optionalInteger(type, key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try optionalInteger(type, key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try optionalInteger(type, key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try optionalInteger(type, key) }

    private func optionalInteger<T: FixedWidthInteger>(_ type: T.Type, _ key: Key) throws(JSONError) -> T? {
        guard let member = optional(key) else { return nil }
        return try JSONScalar.decodeInteger(type, member.value, member.path)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let member = optional(key) else { return nil }
        return try JSONScalar.decodeNested(type, member)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try require(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try require(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        owner.child(lookup("super") ?? .null, .key("super"))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        owner.child(lookup(key.stringValue) ?? .null, .key(key.stringValue))
    }
}

struct JSONUnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let owner: JSONValueDecoder
    private(set) var currentIndex = 0

    init(elements: [JSONValue], owner: JSONValueDecoder) {
        self.elements = elements
        self.owner = owner
    }

    var codingPath: [any CodingKey] { owner.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next() throws(JSONError) -> JSONValueDecoder {
        guard currentIndex < elements.count else {
            throw JSONError(path: owner.path, message: "array has too few elements (\(elements.count))")
        }
        defer { currentIndex += 1 }
        return owner.child(elements[currentIndex], .index(currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        guard currentIndex < elements.count else { return false }
        if elements[currentIndex] == .null {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let element = try next()
        return try JSONScalar.decodeBool(element.value, element.path)
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let element = try next()
        return try JSONScalar.decodeString(element.value, element.path)
    }

    mutating func decode(_ type: Double.Type) throws -> Double {
        let element = try next()
        return try JSONScalar.decodeDouble(element.value, element.path)
    }

    mutating func decode(_ type: Float.Type) throws -> Float {
        let element = try next()
        return Float(try JSONScalar.decodeDouble(element.value, element.path))
    }

    mutating func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    private mutating func integer<T: FixedWidthInteger>(_ type: T.Type) throws(JSONError) -> T {
        let element = try next()
        return try JSONScalar.decodeInteger(type, element.value, element.path)
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONScalar.decodeNested(type, try next())
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next().unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        try next()
    }
}

struct JSONSingleValueContainer: SingleValueDecodingContainer {
    let owner: JSONValueDecoder
    private var value: JSONValue { owner.value }

    init(owner: JSONValueDecoder) {
        self.owner = owner
    }

    var codingPath: [any CodingKey] { owner.codingPath }

    func decodeNil() -> Bool { value == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try JSONScalar.decodeBool(value, owner.path) }
    func decode(_ type: String.Type) throws -> String { try JSONScalar.decodeString(value, owner.path) }
    func decode(_ type: Double.Type) throws -> Double { try JSONScalar.decodeDouble(value, owner.path) }
    func decode(_ type: Float.Type) throws -> Float { Float(try JSONScalar.decodeDouble(value, owner.path)) }
    func decode(_ type: Int.Type) throws -> Int { try JSONScalar.decodeInteger(type, value, owner.path) }
    func decode(_ type: Int8.Type) throws -> Int8 { try JSONScalar.decodeInteger(type, value, owner.path) }
    func decode(_ type: Int16.Type) throws -> Int16 { try JSONScalar.decodeInteger(type, value, owner.path) }
    func decode(_ type: Int32.Type) throws -> Int32 { try JSONScalar.decodeInteger(type, value, owner.path) }
    func decode(_ type: Int64.Type) throws -> Int64 { try JSONScalar.decodeInteger(type, value, owner.path) }
    func decode(_ type: UInt.Type) throws -> UInt { try JSONScalar.decodeInteger(type, value, owner.path) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try JSONScalar.decodeInteger(type, value, owner.path) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try JSONScalar.decodeInteger(type, value, owner.path) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try JSONScalar.decodeInteger(type, value, owner.path) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try JSONScalar.decodeInteger(type, value, owner.path) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONScalar.decodeNested(type, owner) }
}
