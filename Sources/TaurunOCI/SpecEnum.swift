// Closed vocabularies of the runtime-spec (namespace types, seccomp actions, rlimit names, ...).
// An unknown value is a decode error that names the vocabulary and the value, never a silent default.

import TaurunSupport

/// A String-backed enum whose raw values are the spec's spelling.
public protocol SpecEnum: RawRepresentable, JSONValueConvertible, Sendable, Hashable, CaseIterable where RawValue == String {
    /// What a value of this vocabulary is called in error messages, e.g. "namespace type".
    static var vocabulary: String { get }
}

extension SpecEnum {
    public init(json: JSONValue) throws(JSONError) {
        let raw = try String(json: json)
        guard let value = Self(rawValue: raw) else {
            throw JSONError(path: JSONPath(), message: "unknown \(Self.vocabulary) \(jsonQuoted(raw))")
        }
        self = value
    }

    public var json: JSONValue { .string(rawValue) }
}
