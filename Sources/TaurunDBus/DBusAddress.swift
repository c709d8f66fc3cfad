import TaurunLinux

/// A D-Bus server address ("Server Addresses" in the specification), reduced to what taurun can connect to:
/// a unix socket by path or in the abstract namespace. `unix:path=/run/dbus/system_bus_socket,guid=…`.
public struct DBusAddress: Equatable, Sendable {
    public typealias Socket = UnixSocket.Address

    public var socket: Socket

    public init(socket: Socket) {
        self.socket = socket
    }

    /// For messages: the socket path, abstract names with a leading "@".
    public var displayName: String { socket.displayName }

    /// Every usable entry of an address list (entries are separated by ";" and tried in order).
    public static func parseList(_ text: String) throws(DBusError) -> [DBusAddress] {
        var result: [DBusAddress] = []
        for entry in text.split(separator: ";") {
            guard entry.hasPrefix("unix:") else { continue }
            var path: String?
            var abstract: String?
            for pair in entry.dropFirst("unix:".count).split(separator: ",") {
                guard let equals = pair.firstIndex(of: "=") else { throw .unsupportedAddress(String(entry)) }
                let key = pair[..<equals]
                let value = try unescape(pair[pair.index(after: equals)...], in: String(entry))
                switch key {
                case "path": path = value
                case "abstract": abstract = value
                default: continue  // guid=, and keys for other transports' options
                }
            }
            if let path, !path.isEmpty {
                result.append(DBusAddress(socket: .path(path)))
            } else if let abstract, !abstract.isEmpty {
                result.append(DBusAddress(socket: .abstract(abstract)))
            }
        }
        guard !result.isEmpty else { throw .unsupportedAddress(text) }
        return result
    }

    /// Values are %-escaped byte by byte.
    static func unescape(_ value: Substring, in entry: String) throws(DBusError) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(value.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexDigit), let low = iterator.next().flatMap(hexDigit) else {
                throw .unsupportedAddress(entry)
            }
            bytes.append(high << 4 | low)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
