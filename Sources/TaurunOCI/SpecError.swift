// The one error of this module: which file, where in it (a JSON path), and what is wrong, with the offending value.

/// A config.json (or state.json, process.json, ...) that cannot be used.
/// Prints as `config.json: linux.namespaces[2].type: unknown namespace type "nett"`.
public struct SpecError: Error, CustomStringConvertible, Equatable {
    /// The file name as given by the caller, e.g. "config.json"; "" for errors opening or reading the file.
    public let file: String
    /// `a.b[3].c`; "" when the error concerns the whole document.
    public let jsonPath: String
    public let message: String

    public init(file: String, jsonPath: String, message: String) {
        self.file = file
        self.jsonPath = jsonPath
        self.message = message
    }

    /// `file: jsonPath: message`, leaving out the parts that are empty (I/O errors name their path in the message).
    public var description: String {
        [file, jsonPath, message].filter { !$0.isEmpty }.joined(separator: ": ")
    }
}
