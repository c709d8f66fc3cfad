/// JSONDecoder keeps one of two duplicate keys silently; a manifest saying `"network": false, …, "network": true`
/// must not be read either way. This scanner walks the raw bytes once (strings, braces, colons) and reports the first
/// key repeated within one object. It does not validate JSON; the decoder does that afterwards.
enum DuplicateKeyScanner {
    struct Duplicate: Equatable {
        let key: String
        let line: Int
    }

    static func firstDuplicate(in bytes: [UInt8]) -> Duplicate? {
        var objects: [Set<[UInt8]>] = []  // key sets of the open objects; arrays push nothing
        var containers: [UInt8] = []  // "{" or "["
        var line = 1
        var index = 0
        var lastString: [UInt8]?
        var lastStringLine = 1
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
            case UInt8(ascii: "\""):
                var text: [UInt8] = []
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count {
                        text.append(bytes[index])
                        index += 1
                    }
                    if bytes[index] == UInt8(ascii: "\n") { line += 1 }
                    text.append(bytes[index])
                    index += 1
                }
                lastString = text
                lastStringLine = line
            case UInt8(ascii: ":"):
                if containers.last == UInt8(ascii: "{"), let key = lastString, !objects.isEmpty {
                    if objects[objects.count - 1].contains(key) {
                        return Duplicate(key: String(decoding: key, as: UTF8.self), line: lastStringLine)
                    }
                    objects[objects.count - 1].insert(key)
                }
                lastString = nil
            case UInt8(ascii: "{"):
                containers.append(byte)
                objects.append([])
                lastString = nil
            case UInt8(ascii: "["):
                containers.append(byte)
                lastString = nil
            case UInt8(ascii: "}"):
                if containers.popLast() == UInt8(ascii: "{"), !objects.isEmpty { objects.removeLast() }
                lastString = nil
            case UInt8(ascii: "]"):
                _ = containers.popLast()
                lastString = nil
            case UInt8(ascii: ","):
                lastString = nil
            default:
                break
            }
            index += 1
        }
        return nil
    }
}
