/// `text` made safe to print on one terminal line: `\n` `\r` `\t` written as such, and every other control
/// character (C0, DEL, C1, which terminals read as escape sequences, and the Unicode line and paragraph separators)
/// as `\u{hex}`, so a hostile value can neither forge another line nor reach the reader's terminal as a command.
/// With `escapingQuotes`, `"` and `\` are escaped too (for text shown between quotes).
public func terminalSafe(_ text: some StringProtocol, escapingQuotes: Bool = false) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"" where escapingQuotes: out += "\\\""
        case "\\" where escapingQuotes: out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}" {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out
}

/// A value from a config, a manifest or an app, quoted for a one-line message: at most `limit` characters (then
/// "…"), terminal-safe, quotes and backslashes escaped. The package's one message quoter.
public func messageQuoted(_ text: String, limit: Int) -> String {
    let scalars = text.unicodeScalars
    guard scalars.count > limit else { return "\"" + terminalSafe(text, escapingQuotes: true) + "\"" }
    var kept = String.UnicodeScalarView()
    kept.append(contentsOf: scalars.prefix(limit))
    return "\"" + terminalSafe(String(kept), escapingQuotes: true) + "…\""
}
