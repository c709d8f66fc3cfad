// The on-disk form of one record. Written by hand rather than by JSONEncoder so the field order is fixed (time first,
// message last: `tail` and `grep` read naturally) and absent fields are left out; JSONDecoder reads it back.

extension AuditEvent {
    /// The record as one JSON object followed by "\n".
    public func jsonLine() -> String {
        var fields: [String] = ["\"time\":" + jsonQuoted(time), "\"event\":" + jsonQuoted(event.rawValue)]
        if let app { fields.append("\"app\":" + jsonQuoted(app)) }
        if let container { fields.append("\"container\":" + jsonQuoted(container)) }
        if let pid { fields.append("\"pid\":" + String(pid)) }
        if let permission { fields.append("\"permission\":" + jsonQuoted(permission)) }
        if let syscall { fields.append("\"syscall\":" + jsonQuoted(syscall)) }
        if let args { fields.append("\"args\":[" + args.map { String($0) }.joined(separator: ",") + "]") }
        if let action { fields.append("\"action\":" + jsonQuoted(action)) }
        fields.append("\"message\":" + jsonQuoted(message))
        return "{" + fields.joined(separator: ",") + "}\n"
    }
}

/// A JSON string literal (RFC 8259): quotes, backslashes and control characters escaped; other text kept as UTF-8.
func jsonQuoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
