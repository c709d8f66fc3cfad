// A Codable Encoder that builds a JSONValue, so output formatting (key order, indentation, escaping) is ours and
// identical on every platform. Optional properties that are nil are omitted (synthesized encodeIfPresent).

func encodeJSONValue<T: Encodable>(_ value: T) -> JSONValue {
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
    enum Content {
        case empty
        case scalar(JSONValue)
        case object([(key: String, node: JSONEncodingNode)])
        case array([JSONEncodingNode])
    }

    var content: Content = .empty

    var value: JSONValue {
        switch content {
        case .empty: .null
        case .scalar(let value): value
        case .object(let members): .object(members.map { ($0.key, $0.node.value) })
        case .array(let elements): .array(elements.map(\.value))
        }
    }

    /// The child for `key`, replacing an earlier one of the same name so keys stay unique.
    func child(forKey key: String) -> JSONEncodingNode {
        let node = JSONEncodingNode()
        var members: [(key: String, node: JSONEncodingNode)] = []
        if case .object(let existing) = content { members = existing }
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].node = node
        } else {
            members.append((key, node))
        }
        content = .object(members)
        return node
    }

    func appendChild() -> JSONEncodingNode {
        let node = JSONEncodingNode()
        var elements: [JSONEncodingNode] = []
        if case .array(let existing) = content { elements = existing }
        elements.append(node)
        content = .array(elements)
        return node
    }

    func becomeObject() {
        if case .object = content { return }
        content = .object([])
    }

    func becomeArray() {
        if case .array = content { return }
        content = .array([])
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
        node.child(forKey: key.stringValue).content = .scalar(value)
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

    var count: Int {
        if case .array(let elements) = node.content { return elements.count }
        return 0
    }

    private func append(_ value: JSONValue) {
        node.appendChild().content = .scalar(value)
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

    private func set(_ value: JSONValue) { node.content = .scalar(value) }

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
