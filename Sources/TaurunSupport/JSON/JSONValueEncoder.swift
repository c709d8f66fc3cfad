// A Codable Encoder that builds a JSONValue, so output formatting (key order, indentation, escaping) is ours and
// identical on every platform. Optional properties that are nil are omitted (synthesized encodeIfPresent).

public func encodeJSONValue<T: Encodable>(_ value: T) -> JSONValue {
    let encoder = JSONValueEncoder(path: [])
    do {
        try value.encode(to: encoder)
    } catch {
        // Our own model types and encoder never throw; a foreign conformance that does is reported in the output
        // rather than crashing the runtime.
        return .string("<encoding failed: \(error)>")
    }
    return encoder.storage.value
}

/// A mutable node of the tree being built; containers hand out references to their children.
final class JSONEncodingNode {
    enum Kind {
        case empty
        case scalar
        case object
        case array
    }

    private(set) var kind: Kind = .empty
    private var scalar: JSONValue = .null
    private var members: [(key: String, node: JSONEncodingNode)] = []
    private var elements: [JSONEncodingNode] = []

    var count: Int { elements.count }

    var value: JSONValue {
        switch kind {
        case .empty: .null
        case .scalar: scalar
        case .object: .object(members.map { ($0.key, $0.node.value) })
        case .array: .array(elements.map(\.value))
        }
    }

    func set(_ value: JSONValue) {
        kind = .scalar
        scalar = value
    }

    /// The child for `key`, replacing an earlier one of the same name so keys stay unique.
    func child(forKey key: String) -> JSONEncodingNode {
        becomeObject()
        let node = JSONEncodingNode()
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].node = node
        } else {
            members.append((key, node))
        }
        return node
    }

    func appendChild() -> JSONEncodingNode {
        becomeArray()
        let node = JSONEncodingNode()
        elements.append(node)
        return node
    }

    func becomeObject() {
        if kind != .object {
            kind = .object
            members = []
        }
    }

    func becomeArray() {
        if kind != .array {
            kind = .array
            elements = []
        }
    }
}

final class JSONValueEncoder: Encoder {
    let storage: JSONEncodingNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(path: [any CodingKey], node: JSONEncodingNode = JSONEncodingNode()) {
        self.codingPath = path
        self.storage = node
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        storage.becomeObject()
        return KeyedEncodingContainer(JSONKeyedEncodingContainer<Key>(node: storage, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        storage.becomeArray()
        return JSONUnkeyedEncodingContainer(node: storage, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        JSONSingleValueEncodingContainer(node: storage, codingPath: codingPath)
    }
}

struct JSONKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: JSONEncodingNode
    let codingPath: [any CodingKey]

    private func set(_ value: JSONValue, _ key: Key) {
        node.child(forKey: key.stringValue).set(value)
    }

    mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(.number("\(value)"), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { set(.number("\(value)"), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(.number("\(value)"), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(.number("\(value)"), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(.number("\(value)"), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(.number("\(value)"), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(.number("\(value)"), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { set(.number("\(value)"), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.number("\(value)"), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.number("\(value)"), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.number("\(value)"), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(.number("\(value)"), key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        let child = node.child(forKey: key.stringValue)
        try value.encode(to: JSONValueEncoder(path: codingPath + [key], node: child))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = node.child(forKey: key.stringValue)
        child.becomeObject()
        return KeyedEncodingContainer(JSONKeyedEncodingContainer<NestedKey>(node: child, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = node.child(forKey: key.stringValue)
        child.becomeArray()
        return JSONUnkeyedEncodingContainer(node: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        JSONValueEncoder(path: codingPath, node: node.child(forKey: "super"))
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        JSONValueEncoder(path: codingPath + [key], node: node.child(forKey: key.stringValue))
    }
}

struct JSONUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let node: JSONEncodingNode
    let codingPath: [any CodingKey]

    var count: Int { node.count }

    private func append(_ value: JSONValue) {
        node.appendChild().set(value)
    }

    mutating func encodeNil() throws { append(.null) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: String) throws { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(.number("\(value)")) }
    mutating func encode(_ value: Float) throws { append(.number("\(value)")) }
    mutating func encode(_ value: Int) throws { append(.number("\(value)")) }
    mutating func encode(_ value: Int8) throws { append(.number("\(value)")) }
    mutating func encode(_ value: Int16) throws { append(.number("\(value)")) }
    mutating func encode(_ value: Int32) throws { append(.number("\(value)")) }
    mutating func encode(_ value: Int64) throws { append(.number("\(value)")) }
    mutating func encode(_ value: UInt) throws { append(.number("\(value)")) }
    mutating func encode(_ value: UInt8) throws { append(.number("\(value)")) }
    mutating func encode(_ value: UInt16) throws { append(.number("\(value)")) }
    mutating func encode(_ value: UInt32) throws { append(.number("\(value)")) }
    mutating func encode(_ value: UInt64) throws { append(.number("\(value)")) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let index = count
        let child = node.appendChild()
        try value.encode(to: JSONValueEncoder(path: codingPath + [JSONCodingKey(intValue: index)], node: child))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let index = count
        let child = node.appendChild()
        child.becomeObject()
        return KeyedEncodingContainer(JSONKeyedEncodingContainer<NestedKey>(node: child, codingPath: codingPath + [JSONCodingKey(intValue: index)]))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let index = count
        let child = node.appendChild()
        child.becomeArray()
        return JSONUnkeyedEncodingContainer(node: child, codingPath: codingPath + [JSONCodingKey(intValue: index)])
    }

    mutating func superEncoder() -> any Encoder {
        let index = count
        return JSONValueEncoder(path: codingPath + [JSONCodingKey(intValue: index)], node: node.appendChild())
    }
}

struct JSONSingleValueEncodingContainer: SingleValueEncodingContainer {
    let node: JSONEncodingNode
    let codingPath: [any CodingKey]

    private func set(_ value: JSONValue) { node.set(value) }

    mutating func encodeNil() throws { set(.null) }
    mutating func encode(_ value: Bool) throws { set(.bool(value)) }
    mutating func encode(_ value: String) throws { set(.string(value)) }
    mutating func encode(_ value: Double) throws { set(.number("\(value)")) }
    mutating func encode(_ value: Float) throws { set(.number("\(value)")) }
    mutating func encode(_ value: Int) throws { set(.number("\(value)")) }
    mutating func encode(_ value: Int8) throws { set(.number("\(value)")) }
    mutating func encode(_ value: Int16) throws { set(.number("\(value)")) }
    mutating func encode(_ value: Int32) throws { set(.number("\(value)")) }
    mutating func encode(_ value: Int64) throws { set(.number("\(value)")) }
    mutating func encode(_ value: UInt) throws { set(.number("\(value)")) }
    mutating func encode(_ value: UInt8) throws { set(.number("\(value)")) }
    mutating func encode(_ value: UInt16) throws { set(.number("\(value)")) }
    mutating func encode(_ value: UInt32) throws { set(.number("\(value)")) }
    mutating func encode(_ value: UInt64) throws { set(.number("\(value)")) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try value.encode(to: JSONValueEncoder(path: codingPath, node: node))
    }
}
