/// One D-Bus message: the fixed header, the header fields and the body ("Message Format" in the specification).
public struct DBusMessage: Equatable, Sendable {
    public enum Kind: UInt8, Sendable {
        case methodCall = 1
        case methodReturn = 2
        case error = 3
        case signal = 4
    }

    /// NO_REPLY_EXPECTED: the sender will not read an answer.
    public static let flagNoReplyExpected: UInt8 = 0x1

    public var kind: Kind
    public var flags: UInt8 = 0
    public var serial: UInt32
    public var path: String?
    public var interface: String?
    public var member: String?
    public var errorName: String?
    public var replySerial: UInt32?
    public var destination: String?
    public var sender: String?
    public var body: [DBusValue] = []

    public init(kind: Kind, serial: UInt32, path: String? = nil, interface: String? = nil, member: String? = nil,
                destination: String? = nil, body: [DBusValue] = []) {
        self.kind = kind
        self.serial = serial
        self.path = path
        self.interface = interface
        self.member = member
        self.destination = destination
        self.body = body
    }

    public static func methodCall(serial: UInt32, destination: String?, path: String, interface: String, member: String,
                                  body: [DBusValue] = []) -> DBusMessage {
        DBusMessage(kind: .methodCall, serial: serial, path: path, interface: interface, member: member,
                    destination: destination, body: body)
    }

    /// The body's signature: the concatenated types of its values.
    public var signature: String { body.map(\.signature).joined() }

    /// The limit the specification puts on a whole message.
    static let maximumLength = 128 << 20

    // Header field codes.
    static let fieldPath: UInt8 = 1
    static let fieldInterface: UInt8 = 2
    static let fieldMember: UInt8 = 3
    static let fieldErrorName: UInt8 = 4
    static let fieldReplySerial: UInt8 = 5
    static let fieldDestination: UInt8 = 6
    static let fieldSender: UInt8 = 7
    static let fieldSignature: UInt8 = 8

    /// The wire bytes, little-endian. Header fields go in sd-bus's order (path, member, interface, ...), so a
    /// message compares byte for byte with what systemd's own client library sends.
    public func encoded() throws(DBusError) -> [UInt8] {
        var bodyWriter = DBusWriter()
        for value in body { try bodyWriter.append(value) }

        var fields: [DBusValue] = []
        func field(_ code: UInt8, _ value: DBusValue) {
            fields.append(.structure([.byte(code), .variant(value)]))
        }
        if let path { field(Self.fieldPath, .objectPath(path)) }
        if let member { field(Self.fieldMember, .string(member)) }
        if let interface { field(Self.fieldInterface, .string(interface)) }
        if let errorName { field(Self.fieldErrorName, .string(errorName)) }
        if let replySerial { field(Self.fieldReplySerial, .uint32(replySerial)) }
        if let destination { field(Self.fieldDestination, .string(destination)) }
        if let sender { field(Self.fieldSender, .string(sender)) }
        if !body.isEmpty { field(Self.fieldSignature, .signature(signature)) }

        var header = DBusWriter()
        header.appendRaw([UInt8(ascii: "l"), kind.rawValue, flags, 1])
        header.appendInteger(UInt32(bodyWriter.bytes.count))
        header.appendInteger(serial)
        try header.append(.array(element: "(yv)", fields))
        header.pad(to: 8)
        let message = header.bytes + bodyWriter.bytes
        guard message.count <= Self.maximumLength else { throw .malformed("message of \(message.count) bytes exceeds 128 MiB") }
        return message
    }

    /// How many bytes the message starting at `prefix` occupies, once its first 16 bytes are known.
    static func totalLength(ofHeader prefix: ArraySlice<UInt8>) throws(DBusError) -> Int {
        guard prefix.count >= 16 else { throw .malformed("header shorter than 16 bytes") }
        let start = prefix.startIndex
        let endian = prefix[start]
        guard endian == UInt8(ascii: "l") || endian == UInt8(ascii: "B") else { throw .malformed("unknown endianness mark \(endian)") }
        var reader = DBusReader(bytes: Array(prefix[start..<(start + 16)]), position: 4, bigEndian: endian == UInt8(ascii: "B"))
        let bodyLength = Int(try reader.readInteger(UInt32.self))
        _ = try reader.readInteger(UInt32.self)
        let fieldsLength = Int(try reader.readInteger(UInt32.self))
        let headerLength = 16 + fieldsLength
        let padded = (headerLength + 7) & ~7
        let total = padded + bodyLength
        guard fieldsLength <= maximumLength, bodyLength <= maximumLength, total <= maximumLength else {
            throw .malformed("message of \(total) bytes exceeds 128 MiB")
        }
        return total
    }

    /// Parses one complete message (exactly `totalLength` bytes).
    public static func decode(_ bytes: [UInt8]) throws(DBusError) -> DBusMessage {
        let total = try totalLength(ofHeader: bytes[...])
        guard bytes.count == total else { throw .malformed("message is \(bytes.count) bytes, header says \(total)") }
        let bigEndian = bytes[0] == UInt8(ascii: "B")
        guard let kind = Kind(rawValue: bytes[1]) else { throw .malformed("unknown message type \(bytes[1])") }
        guard bytes[3] == 1 else { throw .malformed("protocol version \(bytes[3])") }
        var reader = DBusReader(bytes: bytes, position: 4, bigEndian: bigEndian)
        let bodyLength = Int(try reader.readInteger(UInt32.self))
        let serial = try reader.readInteger(UInt32.self)
        guard serial != 0 else { throw .malformed("serial 0") }
        var message = DBusMessage(kind: kind, serial: serial)
        message.flags = bytes[2]
        var bodySignature = ""
        guard case .array(_, let fields) = try reader.read(type: Array("a(yv)".utf8), depth: 0) else {
            throw .malformed("header fields are not an array")
        }
        for field in fields {
            guard case .structure(let parts) = field, parts.count == 2, case .byte(let code) = parts[0], case .variant(let value) = parts[1] else {
                throw .malformed("header field is not (yv)")
            }
            switch (code, value) {
            case (fieldPath, .objectPath(let text)): message.path = text
            case (fieldInterface, .string(let text)): message.interface = text
            case (fieldMember, .string(let text)): message.member = text
            case (fieldErrorName, .string(let text)): message.errorName = text
            case (fieldReplySerial, .uint32(let number)): message.replySerial = number
            case (fieldDestination, .string(let text)): message.destination = text
            case (fieldSender, .string(let text)): message.sender = text
            case (fieldSignature, .signature(let text)): bodySignature = text
            case (1...8, _): throw .malformed("header field \(code) has type \(value.signature)")
            default: break  // Unknown fields must be ignored (unix fds count, future fields).
            }
        }
        try reader.align(to: 8)
        guard reader.position + bodyLength == bytes.count else { throw .malformed("body length does not match the message") }
        if !bodySignature.isEmpty {
            var bodyReader = DBusReader(bytes: Array(bytes[reader.position...]), bigEndian: bigEndian)
            message.body = try bodyReader.read(signature: bodySignature)
            guard bodyReader.position == bodyLength else { throw .malformed("body has \(bodyLength - bodyReader.position) trailing bytes") }
        } else if bodyLength != 0 {
            throw .malformed("body of \(bodyLength) bytes without a signature")
        }
        switch kind {
        case .methodCall where message.path == nil || message.member == nil,
             .signal where message.path == nil || message.member == nil || message.interface == nil:
            throw .malformed("\(kind) without path, interface or member")
        case .methodReturn where message.replySerial == nil, .error where message.replySerial == nil || message.errorName == nil:
            throw .malformed("\(kind) without reply serial or error name")
        default:
            return message
        }
    }

    /// The first string argument of an error reply (its human message), or "".
    public var errorMessage: String {
        if case .string(let text)? = body.first { return text }
        return ""
    }
}
