/// Applies a `ManifestChange` to a manifest's text, in its own format, touching nothing else: comments, key order
/// and layout stay as the developer wrote them. The edit is made on the text (a TOML line scanner, a JSON span
/// scanner), then checked by parsing the result: it must read as exactly the old manifest with the change made.
/// A layout the scanner does not follow (say, permissions as TOML dotted keys mixed with a table) fails that check
/// and is refused with the change to make by hand; never a wrong manifest.
public enum ManifestEditor {
    public static func apply(_ change: ManifestChange, to text: String, format: ManifestFormat, path: String)
        throws(SandboxError) -> String
    {
        let before = try ManifestLoader.parse(bytes: Array(text.utf8), format: format, path: path)
        guard !change.isEmpty else { return text }
        var edited = text
        let memory = change.memoryBytes.map { "\"\(SizeParser.render($0))\"" }
        switch format {
        case .tauToml:
            var toml = TOMLText(edited)
            for permission in change.addPermissions {
                toml.addPermission(permission.rawValue)
            }
            if let memory { toml.set(table: "resources", key: "memory", value: memory) }
            if let pids = change.pids { toml.set(table: "resources", key: "pids", value: String(pids)) }
            edited = toml.text
        case .tauAppJSON, .manifestTau:
            var json = JSONText(edited)
            for permission in change.addPermissions {
                json.addPermission(permission.rawValue, listForm: format == .manifestTau)
            }
            if let memory { json.set(object: "resources", key: "memory", value: memory) }
            if let pids = change.pids { json.set(object: "resources", key: "pids", value: String(pids)) }
            edited = json.text
        }
        let after = try? ManifestLoader.parse(bytes: Array(edited.utf8), format: format, path: path)
        guard let after, after == change.applied(to: before) else {
            throw .manifestValue(
                path: path, key: "permissions", value: change.summary,
                reason: "cannot be added to this manifest's layout automatically; add it by hand")
        }
        return edited
    }
}

extension ManifestChange {
    /// "network, resources.memory = 2G", for messages.
    var summary: String {
        var parts = addPermissions.map(\.rawValue)
        if let memoryBytes { parts.append("resources.memory = \(SizeParser.render(memoryBytes))") }
        if let pids { parts.append("resources.pids = \(pids)") }
        return parts.joined(separator: ", ")
    }
}

/// tau.toml as lines, edited by key. Knows tables (`[permissions]`), top-level keys (`permissions = [...]` or
/// `{...}`) and `key = value` lines; values are replaced as whole tokens.
struct TOMLText {
    private(set) var lines: [String]
    private var endsWithNewline: Bool

    init(_ text: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        endsWithNewline = text.hasSuffix("\n") || text.isEmpty
        if endsWithNewline { lines.removeLast() }
        self.lines = lines
    }

    var text: String { lines.joined(separator: "\n") + (endsWithNewline ? "\n" : "") }

    /// The table a header line opens (`[permissions]` → "permissions"), nil for any other line.
    static func header(_ line: String) -> String? {
        let trimmed = line.trimmingLeadingSpaces
        guard trimmed.hasPrefix("["), !trimmed.hasPrefix("[["), let close = trimmed.firstIndex(of: "]") else { return nil }
        let rest = trimmed[trimmed.index(after: close)...].trimmingLeadingSpaces
        guard rest.isEmpty || rest.hasPrefix("#") else { return nil }
        return String(trimmed[trimmed.index(after: trimmed.startIndex)..<close]).trimmingSpaces
    }

    /// The key of a `key = value` line (bare or quoted), nil for anything else.
    static func key(_ line: String) -> (key: String, valueStart: String.Index)? {
        let trimmed = line.trimmingLeadingSpaces
        guard let equals = trimmed.firstIndex(of: "="), !trimmed.hasPrefix("#"), !trimmed.hasPrefix("[") else { return nil }
        var key = trimmed[..<equals].trimmingSpaces
        if key.count >= 2, key.hasPrefix("\""), key.hasSuffix("\"") { key = String(key.dropFirst().dropLast()) }
        let offset = line.distance(from: line.startIndex, to: line.endIndex) - trimmed.count
        let start = line.index(line.startIndex, offsetBy: offset + trimmed.distance(from: trimmed.startIndex, to: equals) + 1)
        return (key, start)
    }

    /// Line range of table `name`'s body (after its header, up to the next header), nil when there is no such table.
    func table(_ name: String) -> Range<Int>? {
        guard let start = lines.firstIndex(where: { Self.header($0) == name }) else { return nil }
        let end = lines[(start + 1)...].firstIndex { Self.header($0) != nil } ?? lines.count
        return (start + 1)..<end
    }

    /// The lines before the first table: the top-level keys.
    var topLevel: Range<Int> { 0..<(lines.firstIndex { Self.header($0) != nil } ?? lines.count) }

    /// `key = value` in table `name`: replaces the value of an existing key, else adds the line after the table's
    /// last key, else adds the table at the end of the file (where a new table belongs in TOML).
    mutating func set(table name: String, key: String, value: String) {
        if let body = table(name) {
            if let index = body.first(where: { Self.key(lines[$0])?.key == key }) {
                lines[index] = Self.replacingValue(of: lines[index], with: value)
            } else {
                let last = body.last { line in
                    let trimmed = lines[line].trimmingLeadingSpaces
                    return !trimmed.isEmpty && !trimmed.hasPrefix("#")
                } ?? (body.lowerBound - 1)
                lines.insert("\(key) = \(value)", at: last + 1)
            }
            return
        }
        if let index = topLevel.first(where: { Self.key(lines[$0])?.key == name }) {
            lines[index] = Self.inlineTable(lines[index], setting: key, to: value)
            return
        }
        if let last = lines.last, !last.trimmingSpaces.isEmpty { lines.append("") }
        lines.append("[\(name)]")
        lines.append("\(key) = \(value)")
        endsWithNewline = true
    }

    /// A permission, in whichever form the manifest uses: `network = true` in a table (inline or not), or one more
    /// string in a `permissions = [...]` list.
    mutating func addPermission(_ token: String) {
        if table("permissions") == nil, let index = topLevel.first(where: { Self.key(lines[$0])?.key == "permissions" }),
            let (_, valueStart) = Self.key(lines[index]), lines[index][valueStart...].trimmingLeadingSpaces.hasPrefix("[")
        {
            lines[index] = Self.insertingAfterOpening("[", in: lines[index], item: "\"\(token)\"")
            return
        }
        let (key, value) = Self.tableEntry(for: token)
        set(table: "permissions", key: key, value: value)
    }

    /// The table form of a permission token: `network = true`; filesystem takes its mode.
    static func tableEntry(for token: String) -> (String, String) {
        if token.hasPrefix("filesystem:") { return ("filesystem", "\"\(token.dropFirst("filesystem:".count))\"") }
        return (token, "true")
    }

    /// `key = old # comment` → `key = new # comment`.
    static func replacingValue(of line: String, with value: String) -> String {
        guard let (_, start) = key(line) else { return line }
        let rest = line[start...]
        let leading = rest.prefix { $0 == " " || $0 == "\t" }
        let token = rest.dropFirst(leading.count)
        let tokenEnd: String.Index
        if token.hasPrefix("\""), let close = token.dropFirst().firstIndex(of: "\"") {
            tokenEnd = token.index(after: close)
        } else {
            tokenEnd = token.firstIndex { $0 == " " || $0 == "\t" || $0 == "#" } ?? token.endIndex
        }
        return String(line[..<token.startIndex]) + value + String(line[tokenEnd...])
    }

    /// `name = { a = 1 }` → `name = { key = value, a = 1 }`; an existing `key = …` inside is replaced instead.
    static func inlineTable(_ line: String, setting key: String, to value: String) -> String {
        if let valueStart = inlineValueStart(of: key, in: line),
            let close = line[valueStart...].firstIndex(where: { $0 == "," || $0 == "}" })
        {
            var end = close
            while end > valueStart, line[line.index(before: end)] == " " { end = line.index(before: end) }
            return String(line[..<valueStart]) + value + String(line[end...])
        }
        return insertingAfterOpening("{", in: line, item: "\(key) = \(value)")
    }

    /// Where the value of `key = …` starts inside an inline table on `line` (after `{` or `,`), nil when absent.
    static func inlineValueStart(of key: String, in line: String) -> String.Index? {
        var index = line.startIndex
        while index < line.endIndex {
            if line[index] == "{" || line[index] == "," {
                let rest = line[line.index(after: index)...].trimmingLeadingSpaces
                if rest.hasPrefix(key) {
                    let afterKey = rest.dropFirst(key.count).trimmingLeadingSpaces
                    if afterKey.hasPrefix("=") {
                        let value = afterKey.dropFirst().trimmingLeadingSpaces
                        return value.startIndex
                    }
                }
            }
            index = line.index(after: index)
        }
        return nil
    }

    /// Puts `item` first after the opening bracket of the line's value: `[]` → `[item]`, `[ a ]` → `[ item, a ]`,
    /// and `[` ending the line (the elements follow one per line) → `[item,` (TOML allows the trailing comma).
    static func insertingAfterOpening(_ bracket: Character, in line: String, item: String) -> String {
        guard let (_, start) = key(line), let open = line[start...].firstIndex(of: bracket) else { return line }
        let after = line.index(after: open)
        let rest = line[after...]
        let leading = rest.prefix { $0 == " " || $0 == "\t" }
        let next = rest.dropFirst(leading.count).first
        let closing: Character = bracket == "[" ? "]" : "}"
        if next == closing { return String(line[..<after]) + item + String(rest) }
        let separator = next == nil || next == "#" ? "," : ", "
        return String(line[..<after]) + leading + item + separator + String(rest.dropFirst(leading.count))
    }
}

/// A JSON manifest as bytes, edited by member: values are located by a scanner that knows strings (and their
/// escapes), nesting and literals, so a key inside a string or a nested object is never mistaken for a member.
struct JSONText {
    private(set) var bytes: [UInt8]

    init(_ text: String) { bytes = Array(text.utf8) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    struct Member {
        var key: String
        var keyStart: Int
        var valueStart: Int
        var valueEnd: Int
    }

    /// A permission: one more string in a list (`"permissions": ["network"]`, manifest.tau's form), or
    /// `"network": true` in an object; a missing `permissions` is added in the format's own form.
    mutating func addPermission(_ token: String, listForm: Bool) {
        guard let root = rootObject(), let members = members(ofObjectAt: root) else { return }
        if let permissions = members.first(where: { $0.key == "permissions" }) {
            if bytes[permissions.valueStart] == UInt8(ascii: "[") {
                insert("\"\(token)\"", intoContainerAt: permissions.valueStart, after: elements(ofArrayAt: permissions.valueStart))
            } else {
                let (key, value) = TOMLText.tableEntry(for: token)
                set(member: key, to: value, inObjectAt: permissions.valueStart)
            }
            return
        }
        let (key, value) = TOMLText.tableEntry(for: token)
        set(member: "permissions", to: listForm ? "[\"\(token)\"]" : "{\"\(key)\": \(value)}", inObjectAt: root)
    }

    /// `"key": value` in the top-level member `object` (made when missing).
    mutating func set(object name: String, key: String, value: String) {
        guard let root = rootObject(), let members = members(ofObjectAt: root) else { return }
        if let object = members.first(where: { $0.key == name }), bytes[object.valueStart] == UInt8(ascii: "{") {
            set(member: key, to: value, inObjectAt: object.valueStart)
        } else if !members.contains(where: { $0.key == name }) {
            set(member: name, to: "{\"\(key)\": \(value)}", inObjectAt: root)
        }
    }

    private mutating func set(member key: String, to value: String, inObjectAt start: Int) {
        guard let members = members(ofObjectAt: start) else { return }
        if let existing = members.first(where: { $0.key == key }) {
            bytes.replaceSubrange(existing.valueStart..<existing.valueEnd, with: Array(value.utf8))
            return
        }
        insert("\"\(key)\": \(value)", intoContainerAt: start, after: members.last.map { ($0.keyStart, $0.valueEnd) })
    }

    /// Adds `item` after the container's last element (`last`: its first and end offsets), in the container's own
    /// layout: on a new line with that element's indentation when elements are one per line, else after ", ".
    private mutating func insert(_ item: String, intoContainerAt start: Int, after last: (start: Int, end: Int)?) {
        guard let last else {
            bytes.insert(contentsOf: Array(item.utf8), at: start + 1)
            return
        }
        var lineStart = last.start
        while lineStart > 0, bytes[lineStart - 1] == UInt8(ascii: " ") || bytes[lineStart - 1] == UInt8(ascii: "\t") { lineStart -= 1 }
        let separator: [UInt8]
        if lineStart > 0, bytes[lineStart - 1] == UInt8(ascii: "\n") {
            separator = Array(",\n".utf8) + Array(bytes[lineStart..<last.start])
        } else {
            separator = Array(", ".utf8)
        }
        bytes.insert(contentsOf: separator + Array(item.utf8), at: last.end)
    }

    private func rootObject() -> Int? {
        let start = skipSpace(0)
        return start < bytes.count && bytes[start] == UInt8(ascii: "{") ? start : nil
    }

    private func members(ofObjectAt start: Int) -> [Member]? {
        var members: [Member] = []
        var index = skipSpace(start + 1)
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") { return members }
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "\""), let keyEnd = valueEnd(index) else { return nil }
            let key = String(decoding: bytes[(index + 1)..<(keyEnd - 1)], as: UTF8.self)
            var cursor = skipSpace(keyEnd)
            guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: ":") else { return nil }
            cursor = skipSpace(cursor + 1)
            guard let end = valueEnd(cursor) else { return nil }
            members.append(Member(key: key, keyStart: index, valueStart: cursor, valueEnd: end))
            cursor = skipSpace(end)
            guard cursor < bytes.count else { return nil }
            if bytes[cursor] == UInt8(ascii: "}") { return members }
            guard bytes[cursor] == UInt8(ascii: ",") else { return nil }
            index = skipSpace(cursor + 1)
        }
        return nil
    }

    private func elements(ofArrayAt start: Int) -> (start: Int, end: Int)? {
        var index = skipSpace(start + 1)
        var last: (Int, Int)?
        while index < bytes.count, bytes[index] != UInt8(ascii: "]"), let end = valueEnd(index) {
            last = (index, end)
            index = skipSpace(end)
            if index < bytes.count, bytes[index] == UInt8(ascii: ",") { index = skipSpace(index + 1) }
        }
        return last
    }

    private func skipSpace(_ start: Int) -> Int {
        var index = start
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        return index
    }

    /// The offset just past the value starting at `start` (a string, an object, an array or a literal).
    private func valueEnd(_ start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            var index = start + 1
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "\\") { index += 2; continue }
                if bytes[index] == UInt8(ascii: "\"") { return index + 1 }
                index += 1
            }
            return nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var index = start
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard let end = valueEnd(index) else { return nil }
                    index = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return index + 1 }
                default: break
                }
                index += 1
            }
            return nil
        default:
            var index = start
            let delimiters: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D]
            while index < bytes.count, !delimiters.contains(bytes[index]) { index += 1 }
            return index > start ? index : nil
        }
    }
}

extension StringProtocol {
    var trimmingLeadingSpaces: SubSequence { drop { $0 == " " || $0 == "\t" } }
    var trimmingSpaces: String {
        String(trimmingLeadingSpaces.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
