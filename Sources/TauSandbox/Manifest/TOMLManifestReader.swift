import TOMLKit

/// tau.toml → `ManifestValue`, through TOMLKit (toml++). Parse errors keep toml++'s line and column.
enum TOMLManifestReader {
    static func read(text: String, path: String) throws(SandboxError) -> ManifestValue {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw .manifestSyntax(
                path: path, line: error.source.begin.line, column: error.source.begin.column, message: error.description)
        } catch {
            throw .manifestSyntax(path: path, line: nil, column: nil, message: String(describing: error))
        }
        return convert(table)
    }

    private static func convert(_ table: TOMLTable) -> ManifestValue {
        var result: [String: ManifestValue] = [:]
        for key in table.keys {
            if let value = table[key] {
                result[key] = convert(value)
            }
        }
        return .table(result)
    }

    private static func convert(_ value: TOMLValueConvertible) -> ManifestValue {
        switch value.type {
        case .string: return value.string.map(ManifestValue.string) ?? .unsupported(typeName: "string")
        case .int: return value.int.map { .integer(Int64($0)) } ?? .unsupported(typeName: "integer")
        case .double: return value.double.map(ManifestValue.float) ?? .unsupported(typeName: "float")
        case .bool: return value.bool.map(ManifestValue.bool) ?? .unsupported(typeName: "boolean")
        case .array:
            guard let array = value.array else { return .unsupported(typeName: "array") }
            return .array(array.map { convert($0) })
        case .table:
            guard let table = value.table else { return .unsupported(typeName: "table") }
            return convert(table)
        case .date, .time, .dateTime:
            return .unsupported(typeName: value.type.description)
        }
    }
}
