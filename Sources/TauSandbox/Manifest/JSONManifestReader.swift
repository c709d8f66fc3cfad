import TaurunSupport

/// tau-app.json and manifest.tau (and tau.toml after toml++ has turned it into JSON) → `ManifestValue`.
enum JSONManifestReader {
    static func read(bytes: [UInt8], path: String) throws(SandboxError) -> ManifestValue {
        let tree: JSONValue
        do {
            tree = try JSONParser.parse(bytes)
        } catch {
            // Malformed text is placed by line and column; a duplicate key (well-formed text) by its JSON path.
            let message = error.path.components.isEmpty ? error.reason : "\(error.path): \(error.reason)"
            throw .manifestSyntax(path: path, line: error.position?.line, column: error.position?.column, message: message)
        }
        return try value(tree, path: path)
    }

    /// Integers stay integers (Int64) so `"pids": 64` is not silently a float; a number with a fraction or an
    /// exponent, or too big for Int64, is a float.
    private static func value(_ tree: JSONValue, path: String) throws(SandboxError) -> ManifestValue {
        switch tree {
        case .null: return .unsupported(typeName: "null")
        case .bool(let flag): return .bool(flag)
        case .string(let text): return .string(text)
        case .number(let text):
            if !text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }),
                let integer = Int64(text)
            {
                return .integer(integer)
            }
            guard let number = Double(text), number.isFinite else {
                throw .manifestSyntax(path: path, line: nil, column: nil, message: "number \(text) is out of range")
            }
            return .float(number)
        case .array(let items):
            var values: [ManifestValue] = []
            values.reserveCapacity(items.count)
            for item in items { values.append(try value(item, path: path)) }
            return .array(values)
        case .object(let members):
            var table: [String: ManifestValue] = [:]
            for member in members { table[member.key] = try value(member.value, path: path) }
            return .table(table)
        }
    }
}
