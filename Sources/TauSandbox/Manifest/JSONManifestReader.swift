import FoundationEssentials

/// tau-app.json and manifest.tau → `ManifestValue`, through FoundationEssentials' JSONDecoder.
enum JSONManifestReader {
    static func read(bytes: [UInt8], path: String) throws(SandboxError) -> ManifestValue {
        if let duplicate = DuplicateKeyScanner.firstDuplicate(in: bytes) {
            throw .manifestSyntax(path: path, line: duplicate.line, column: nil, message: "duplicate key \(quoted(duplicate.key))")
        }
        do {
            return try JSONDecoder().decode(JSONNode.self, from: Data(bytes)).value
        } catch let error as DecodingError {
            throw .manifestSyntax(path: path, line: nil, column: nil, message: describe(error))
        } catch {
            throw .manifestSyntax(path: path, line: nil, column: nil, message: String(describing: error))
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context):
            if let underlying = context.underlyingError {
                return String(describing: underlying)
            }
            return context.debugDescription
        default:
            return String(describing: error)
        }
    }
}

/// Decodes any JSON value. Integers stay integers (Int64) so "pids": 64 is not silently a float.
private struct JSONNode: Decodable {
    let value: ManifestValue

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            value = .unsupported(typeName: "null")
        } else if let flag = try? container.decode(Bool.self) {
            value = .bool(flag)
        } else if let number = try? container.decode(Int64.self) {
            value = .integer(number)
        } else if let number = try? container.decode(Double.self) {
            value = .float(number)
        } else if let text = try? container.decode(String.self) {
            value = .string(text)
        } else if let items = try? container.decode([JSONNode].self) {
            value = .array(items.map(\.value))
        } else {
            let table = try container.decode([String: JSONNode].self)
            value = .table(table.mapValues(\.value))
        }
    }
}
