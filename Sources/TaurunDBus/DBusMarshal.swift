/// The D-Bus wire format ("Marshaling (Wire Format)" in the specification): every value is aligned to its own
/// size counted from the start of the message, so both sides carry the absolute offset of their first byte.

/// Appends values to a message buffer. taurun always writes little-endian ('l'), as sd-bus does on x86 and arm.
struct DBusWriter {
    private(set) var bytes: [UInt8] = []
    /// The offset of bytes[0] in the message, so alignment is computed against the message start.
    let base: Int

    init(base: Int = 0) {
        self.base = base
    }

    mutating func pad(to alignment: Int) {
        let misalignment = (base + bytes.count) % alignment
        if misalignment != 0 { bytes.append(contentsOf: repeatElement(0, count: alignment - misalignment)) }
    }

    mutating func appendRaw(_ raw: [UInt8]) {
        bytes.append(contentsOf: raw)
    }

    mutating func appendInteger<T: FixedWidthInteger>(_ value: T) {
        pad(to: MemoryLayout<T>.size)
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func appendString(_ text: String) {
        let utf8 = Array(text.utf8)
        appendInteger(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
        bytes.append(0)
    }

    mutating func appendSignature(_ signature: String) throws(DBusError) {
        let utf8 = Array(signature.utf8)
        guard utf8.count <= 255 else { throw .malformed("signature longer than 255 bytes") }
        bytes.append(UInt8(utf8.count))
        bytes.append(contentsOf: utf8)
        bytes.append(0)
    }

    mutating func append(_ value: DBusValue) throws(DBusError) {
        switch value {
        case .byte(let number): bytes.append(number)
        case .bool(let flag): appendInteger(UInt32(flag ? 1 : 0))
        case .int16(let number): appendInteger(number)
        case .uint16(let number): appendInteger(number)
        case .int32(let number): appendInteger(number)
        case .uint32(let number): appendInteger(number)
        case .int64(let number): appendInteger(number)
        case .uint64(let number): appendInteger(number)
        case .double(let number): appendInteger(number.bitPattern)
        case .string(let text), .objectPath(let text):
            guard !text.utf8.contains(0) else { throw .malformed("string contains a NUL byte") }
            appendString(text)
        case .signature(let text): try appendSignature(text)
        case .array(let element, let items):
            appendInteger(UInt32(0))
            let lengthAt = bytes.count - 4
            // The padding to the first element is not counted in the array's length, even when it is empty.
            pad(to: DBusSignature.alignment(of: element.utf8.first ?? UInt8(ascii: "y")))
            let start = bytes.count
            for item in items {
                guard item.signature == element else {
                    throw .malformed("array of \(element) holds a value of type \(item.signature)")
                }
                try append(item)
            }
            let length = UInt32(bytes.count - start)
            withUnsafeBytes(of: length.littleEndian) { raw in
                for (offset, byte) in raw.enumerated() { bytes[lengthAt + offset] = byte }
            }
        case .structure(let fields):
            pad(to: 8)
            for field in fields { try append(field) }
        case .dictEntry(let key, let value):
            pad(to: 8)
            try append(key)
            try append(value)
        case .variant(let inner):
            try appendSignature(inner.signature)
            try append(inner)
        }
    }
}

/// Reads values of known signatures from a received message, checking every length against the buffer.
struct DBusReader {
    let bytes: [UInt8]
    private(set) var position: Int
    let bigEndian: Bool
    /// The offset of bytes[0] in the message (0 when `bytes` is the whole message).
    let base: Int

    init(bytes: [UInt8], position: Int = 0, bigEndian: Bool, base: Int = 0) {
        self.bytes = bytes
        self.position = position
        self.bigEndian = bigEndian
        self.base = base
    }

    mutating func align(to alignment: Int) throws(DBusError) {
        let misalignment = (base + position) % alignment
        guard misalignment != 0 else { return }
        let padding = alignment - misalignment
        guard position + padding <= bytes.count else { throw .malformed("message ends inside padding") }
        guard bytes[position..<(position + padding)].allSatisfy({ $0 == 0 }) else { throw .malformed("non-zero padding") }
        position += padding
    }

    mutating func readInteger<T: FixedWidthInteger>(_ type: T.Type) throws(DBusError) -> T {
        try align(to: MemoryLayout<T>.size)
        let size = MemoryLayout<T>.size
        guard position + size <= bytes.count else { throw .malformed("message ends inside a \(size)-byte integer") }
        var value: T = 0
        for offset in 0..<size {
            let byte = T(truncatingIfNeeded: bytes[position + offset])
            value |= bigEndian ? byte << ((size - 1 - offset) * 8) : byte << (offset * 8)
        }
        position += size
        return value
    }

    mutating func readString() throws(DBusError) -> String {
        let length = Int(try readInteger(UInt32.self))
        guard length < bytes.count - position else { throw .malformed("string of \(length) bytes runs past the message") }
        let text = Array(bytes[position..<(position + length)])
        guard bytes[position + length] == 0, !text.contains(0) else { throw .malformed("string is not NUL-terminated") }
        position += length + 1
        return String(decoding: text, as: UTF8.self)
    }

    mutating func readSignature() throws(DBusError) -> String {
        guard position < bytes.count else { throw .malformed("message ends before a signature") }
        let length = Int(bytes[position])
        position += 1
        guard length < bytes.count - position, bytes[position + length] == 0 else { throw .malformed("signature runs past the message") }
        let text = String(decoding: bytes[position..<(position + length)], as: UTF8.self)
        position += length + 1
        return text
    }

    /// Reads every complete type of `signature` in order.
    mutating func read(signature: String) throws(DBusError) -> [DBusValue] {
        var values: [DBusValue] = []
        for type in try DBusSignature.completeTypes(signature) { values.append(try read(type: Array(type.utf8), depth: 0)) }
        return values
    }

    /// Reads one value of the single complete type `type`.
    mutating func read(type: [UInt8], depth: Int) throws(DBusError) -> DBusValue {
        guard depth <= DBusSignature.maximumDepth, let code = type.first else { throw .malformed("value nests too deep") }
        switch code {
        case UInt8(ascii: "y"):
            guard position < bytes.count else { throw .malformed("message ends inside a byte") }
            position += 1
            return .byte(bytes[position - 1])
        case UInt8(ascii: "b"):
            let raw = try readInteger(UInt32.self)
            guard raw <= 1 else { throw .malformed("boolean value \(raw)") }
            return .bool(raw == 1)
        case UInt8(ascii: "n"): return .int16(try readInteger(Int16.self))
        case UInt8(ascii: "q"): return .uint16(try readInteger(UInt16.self))
        case UInt8(ascii: "i"): return .int32(try readInteger(Int32.self))
        case UInt8(ascii: "u"), UInt8(ascii: "h"): return .uint32(try readInteger(UInt32.self))
        case UInt8(ascii: "x"): return .int64(try readInteger(Int64.self))
        case UInt8(ascii: "t"): return .uint64(try readInteger(UInt64.self))
        case UInt8(ascii: "d"): return .double(Double(bitPattern: try readInteger(UInt64.self)))
        case UInt8(ascii: "s"): return .string(try readString())
        case UInt8(ascii: "o"): return .objectPath(try readString())
        case UInt8(ascii: "g"): return .signature(try readSignature())
        case UInt8(ascii: "v"):
            let inner = try readSignature()
            let types = try DBusSignature.completeTypes(inner)
            guard types.count == 1, let only = types.first else { throw .malformed("variant signature \"\(inner)\" is not one complete type") }
            return .variant(try read(type: Array(only.utf8), depth: depth + 1))
        case UInt8(ascii: "a"):
            let length = Int(try readInteger(UInt32.self))
            let element = Array(type.dropFirst())
            try align(to: DBusSignature.alignment(of: element.first ?? UInt8(ascii: "y")))
            guard length <= 64 << 20, length <= bytes.count - position else { throw .malformed("array of \(length) bytes runs past the message") }
            let end = position + length
            var items: [DBusValue] = []
            while position < end { items.append(try read(type: element, depth: depth + 1)) }
            guard position == end else { throw .malformed("array elements overrun the array length") }
            return .array(element: String(decoding: element, as: UTF8.self), items)
        case UInt8(ascii: "("), UInt8(ascii: "{"):
            try align(to: 8)
            let inner = String(decoding: type.dropFirst().dropLast(), as: UTF8.self)
            var fields: [DBusValue] = []
            for field in try DBusSignature.completeTypes(inner) { fields.append(try read(type: Array(field.utf8), depth: depth + 1)) }
            if code == UInt8(ascii: "{") {
                guard fields.count == 2 else { throw .malformed("dict entry with \(fields.count) fields") }
                return .dictEntry(fields[0], fields[1])
            }
            return .structure(fields)
        default:
            throw .malformed("unknown type code in \"\(String(decoding: type, as: UTF8.self))\"")
        }
    }
}
