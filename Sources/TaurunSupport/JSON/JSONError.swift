// The one error of the JSON stack: where in the document (a JSON path) and what is wrong, with the offending value.
// The parser throws it for malformed text, the decoder for a well-formed value of the wrong shape, and a type's own
// `init(from:)` for a well-typed value that is not allowed; callers add the file name.

public struct JSONError: Error, CustomStringConvertible, Equatable {
    public var path: JSONPath
    public var message: String

    public init(path: JSONPath, message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`, or only the message when the error concerns the whole document.
    public var description: String {
        path.components.isEmpty ? message : "\(path): \(message)"
    }
}
