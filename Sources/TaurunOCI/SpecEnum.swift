// Closed vocabularies of the runtime-spec (namespace types, seccomp actions, rlimit names, ...).
// An unknown value is a decode error that names the vocabulary and the value, never a silent default.

/// A String-backed enum whose raw values are the spec's spelling.
public protocol SpecEnum: RawRepresentable, Codable, Sendable, Hashable, CaseIterable where RawValue == String {
    /// What a value of this vocabulary is called in error messages, e.g. "namespace type".
    static var vocabulary: String { get }
}

extension SpecEnum {
    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(rawValue: raw) else {
            let path = (decoder as? JSONValueDecoder)?.path ?? JSONPath(decoder.codingPath)
            throw SpecFieldError(path: path, message: "unknown \(Self.vocabulary) \(jsonQuoted(raw))")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// Thrown from inside `init(from:)` when a value is well typed but not allowed; carries the JSON path it was found at.
struct SpecFieldError: Error {
    var path: JSONPath
    var message: String
}
