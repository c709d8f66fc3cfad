// The one error of the JSON stack: where in the document (a JSON path, and for malformed text the line and column)
// and what is wrong, with the offending value. The parser throws it for malformed text, the decoder for a
// well-formed value of the wrong shape, and a type's own `init(from:)` for a well-typed value that is not allowed;
// callers add the file name.

public struct JSONError: Error, CustomStringConvertible, Equatable {
    /// Where a text position helps the reader: the line and column (1-based, columns in bytes) of malformed text.
    public struct Position: Sendable, Equatable {
        public var line: Int
        public var column: Int
    }

    public var path: JSONPath
    /// What is wrong, without the position.
    public var reason: String
    public var position: Position?

    public init(path: JSONPath, message: String) {
        self.path = path
        self.reason = message
        self.position = nil
    }

    public init(path: JSONPath, reason: String, position: Position) {
        self.path = path
        self.reason = reason
        self.position = position
    }

    /// The reason, then `at line L, column C` when there is a position.
    public var message: String {
        guard let position else { return reason }
        return "\(reason) at line \(position.line), column \(position.column)"
    }

    /// `path: message`, or only the message when the error concerns the whole document.
    public var description: String {
        path.components.isEmpty ? message : "\(path): \(message)"
    }
}
