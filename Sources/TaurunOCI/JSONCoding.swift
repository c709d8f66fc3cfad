// The one JSON stack for the runtime's own documents too (state.json records, `events` lines): the strict parser and
// the deterministic writer of the OCI documents, through a type's hand-written conversion (JSONValueConvertible: the
// OCI types, state.json's record) or Codable (the rest), with no Foundation.

import TaurunSupport

public enum JSONCoding {
    /// Parses strictly and decodes; a failure names `file`, the JSON path and the value.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], file: String) throws(SpecError) -> T {
        try JSONDocument.decode(type, from: bytes, file: file)
    }

    /// Parses strictly and reads a type by its hand-written conversion (no Codable); failures as `decode`'s.
    public static func read<T: JSONValueConvertible>(_ type: T.Type, from bytes: [UInt8], file: String) throws(SpecError) -> T {
        try JSONDocument.read(type, from: bytes, file: file)
    }

    /// One line, keys sorted: the same value always gives the same bytes.
    public static func compact<T: Encodable>(_ value: T) -> [UInt8] {
        JSONWriter(indent: nil, keyOrder: .sorted).write(encodeJSONValue(value))
    }
}
