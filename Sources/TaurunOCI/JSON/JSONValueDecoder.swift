// A Codable Decoder over JSONValue. Written here (rather than using JSONDecoder) so every failure carries the JSON
// path and the offending value in words a user can act on: "expected uint32, got number -1", "required field is
// missing", "number 4294967296 out of range for uint32". Unknown members are ignored, as the spec requires.

/// Decodes `T` from a parsed document; failures are `SpecFieldError`s.
func decodeJSONValue<T: Decodable>(_ type: T.Type, from value: JSONValue) throws(SpecFieldError) -> T {
    do {
        return try T(from: JSONValueDecoder(value: value, path: JSONPath()))
    } catch let error as SpecFieldError {
        throw error
    } catch let error as DecodingError {
        throw SpecFieldError(decodingError: error)
    } catch {
        throw SpecFieldError(path: JSONPath(), message: "\(error)")
    }
}

extension SpecFieldError {
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
    let path: JSONPath

    init(value: JSONValue, path: JSONPath) {
        self.value = value
        self.path = path
    }

    var codingPath: [any CodingKey] {
        path.components.map { component in
            switch component {
            case .key(let key): JSONCodingKey(stringValue: key)
            case .index(let index): JSONCodingKey(intValue: index)
            }
        }
    }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else {
            throw SpecFieldError(path: path, message: "expected object, got \(value.excerpt)")
        }
        return KeyedDecodingContainer(JSONKeyedContainer<Key>(members: members, path: path))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else {
            throw SpecFieldError(path: path, message: "expected array, got \(value.excerpt)")
        }
        return JSONUnkeyedContainer(elements: elements, path: path)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        JSONSingleValueContainer(value: value, path: path)
    }
}

/// Scalar conversions shared by the three container kinds.
enum JSONScalar {
    static func decodeBool(_ value: JSONValue, _ path: JSONPath) throws(SpecFieldError) -> Bool {
        guard case .bool(let flag) = value else {
            throw SpecFieldError(path: path, message: "expected boolean, got \(value.excerpt)")
        }
        return flag
    }

    static func decodeString(_ value: JSONValue, _ path: JSONPath) throws(SpecFieldError) -> String {
        guard case .string(let text) = value else {
            throw SpecFieldError(path: path, message: "expected string, got \(value.excerpt)")
        }
        return text
    }

    static func decodeInteger<T: FixedWidthInteger>(_ type: T.Type, _ value: JSONValue, _ path: JSONPath) throws(SpecFieldError) -> T {
        let name = integerName(type)
        guard case .number(let text) = value else {
            throw SpecFieldError(path: path, message: "expected \(name), got \(value.excerpt)")
        }
        // The parser has checked the grammar; an integer literal is an optional '-' and digits only.
        let isIntegerLiteral = !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
        guard isIntegerLiteral else {
            throw SpecFieldError(path: path, message: "expected \(name), got \(value.excerpt)")
        }
        guard let integer = T(text, radix: 10) else {
            throw SpecFieldError(path: path, message: "number \(text) out of range for \(name) (\(T.min)...\(T.max))")
        }
        return integer
    }

    static func decodeDouble(_ value: JSONValue, _ path: JSONPath) throws(SpecFieldError) -> Double {
        guard case .number(let text) = value, let number = Double(text), number.isFinite else {
            throw SpecFieldError(path: path, message: "expected number, got \(value.excerpt)")
        }
        return number
    }

    static func integerName<T: FixedWidthInteger>(_ type: T.Type) -> String {
        (T.isSigned ? "int" : "uint") + (T.bitWidth == Int.bitWidth && (type == Int.self || type == UInt.self) ? "" : "\(T.bitWidth)")
    }

    static func decodeNested<T: Decodable>(_ type: T.Type, _ value: JSONValue, _ path: JSONPath) throws -> T {
        try T(from: JSONValueDecoder(value: value, path: path))
    }
}

struct JSONKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let path: JSONPath
    let orderedKeys: [String]

    init(members: [(key: String, value: JSONValue)], path: JSONPath) {
        // The parser guarantees unique keys, so this cannot trap on duplicates.
        self.members = Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        self.orderedKeys = members.map(\.key)
        self.path = path
    }

    var codingPath: [any CodingKey] { JSONValueDecoder(value: .null, path: path).codingPath }

    var allKeys: [Key] { orderedKeys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func require(_ key: Key) throws(SpecFieldError) -> (JSONValue, JSONPath) {
        let memberPath = path.appending(key: key.stringValue)
        guard let value = members[key.stringValue] else {
            throw SpecFieldError(path: memberPath, message: "required field is missing")
        }
        return (value, memberPath)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        let (value, _) = try require(key)
        return value == .null
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        let (value, memberPath) = try require(key)
        return try JSONScalar.decodeBool(value, memberPath)
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        let (value, memberPath) = try require(key)
        return try JSONScalar.decodeString(value, memberPath)
    }

    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        let (value, memberPath) = try require(key)
        return try JSONScalar.decodeDouble(value, memberPath)
    }

    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        let (value, memberPath) = try require(key)
        return Float(try JSONScalar.decodeDouble(value, memberPath))
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

    private func integer<T: FixedWidthInteger>(_ type: T.Type, _ key: Key) throws(SpecFieldError) -> T {
        let (value, memberPath) = try require(key)
        return try JSONScalar.decodeInteger(type, value, memberPath)
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let (value, memberPath) = try require(key)
        return try JSONScalar.decodeNested(type, value, memberPath)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        let (value, memberPath) = try require(key)
        return try JSONValueDecoder(value: value, path: memberPath).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let (value, memberPath) = try require(key)
        return try JSONValueDecoder(value: value, path: memberPath).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        JSONValueDecoder(value: members["super"] ?? .null, path: path.appending(key: "super"))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        JSONValueDecoder(value: members[key.stringValue] ?? .null, path: path.appending(key: key.stringValue))
    }
}

struct JSONUnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let path: JSONPath
    private(set) var currentIndex = 0

    init(elements: [JSONValue], path: JSONPath) {
        self.elements = elements
        self.path = path
    }

    var codingPath: [any CodingKey] { JSONValueDecoder(value: .null, path: path).codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next() throws(SpecFieldError) -> (JSONValue, JSONPath) {
        guard currentIndex < elements.count else {
            throw SpecFieldError(path: path, message: "array has too few elements (\(elements.count))")
        }
        defer { currentIndex += 1 }
        return (elements[currentIndex], path.appending(index: currentIndex))
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
        let (value, elementPath) = try next()
        return try JSONScalar.decodeBool(value, elementPath)
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let (value, elementPath) = try next()
        return try JSONScalar.decodeString(value, elementPath)
    }

    mutating func decode(_ type: Double.Type) throws -> Double {
        let (value, elementPath) = try next()
        return try JSONScalar.decodeDouble(value, elementPath)
    }

    mutating func decode(_ type: Float.Type) throws -> Float {
        let (value, elementPath) = try next()
        return Float(try JSONScalar.decodeDouble(value, elementPath))
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

    private mutating func integer<T: FixedWidthInteger>(_ type: T.Type) throws(SpecFieldError) -> T {
        let (value, elementPath) = try next()
        return try JSONScalar.decodeInteger(type, value, elementPath)
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, elementPath) = try next()
        return try JSONScalar.decodeNested(type, value, elementPath)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (value, elementPath) = try next()
        return try JSONValueDecoder(value: value, path: elementPath).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, elementPath) = try next()
        return try JSONValueDecoder(value: value, path: elementPath).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, elementPath) = try next()
        return JSONValueDecoder(value: value, path: elementPath)
    }
}

struct JSONSingleValueContainer: SingleValueDecodingContainer {
    let value: JSONValue
    let path: JSONPath

    var codingPath: [any CodingKey] { JSONValueDecoder(value: .null, path: path).codingPath }

    func decodeNil() -> Bool { value == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try JSONScalar.decodeBool(value, path) }
    func decode(_ type: String.Type) throws -> String { try JSONScalar.decodeString(value, path) }
    func decode(_ type: Double.Type) throws -> Double { try JSONScalar.decodeDouble(value, path) }
    func decode(_ type: Float.Type) throws -> Float { Float(try JSONScalar.decodeDouble(value, path)) }
    func decode(_ type: Int.Type) throws -> Int { try JSONScalar.decodeInteger(type, value, path) }
    func decode(_ type: Int8.Type) throws -> Int8 { try JSONScalar.decodeInteger(type, value, path) }
    func decode(_ type: Int16.Type) throws -> Int16 { try JSONScalar.decodeInteger(type, value, path) }
    func decode(_ type: Int32.Type) throws -> Int32 { try JSONScalar.decodeInteger(type, value, path) }
    func decode(_ type: Int64.Type) throws -> Int64 { try JSONScalar.decodeInteger(type, value, path) }
    func decode(_ type: UInt.Type) throws -> UInt { try JSONScalar.decodeInteger(type, value, path) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try JSONScalar.decodeInteger(type, value, path) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try JSONScalar.decodeInteger(type, value, path) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try JSONScalar.decodeInteger(type, value, path) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try JSONScalar.decodeInteger(type, value, path) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONScalar.decodeNested(type, value, path) }
}
