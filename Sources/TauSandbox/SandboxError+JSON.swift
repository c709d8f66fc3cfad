import FoundationEssentials

extension SandboxError {
    /// `{"error": {"code": …, "message": …, "exit_code": …}}` for `--json`.
    public var json: String {
        struct Body: Encodable {
            struct Inner: Encodable {
                var code: String
                var message: String
                var exit_code: Int32
                var missing_grants: [String]?
            }
            var error: Inner
        }
        var missing: [String]?
        if case .grantsMissing(_, let permissions) = self { missing = permissions.map(\.rawValue) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = Body(error: .init(code: code, message: message, exit_code: exitCode, missing_grants: missing))
        guard let data = try? encoder.encode(body) else { return "{\"error\":{\"code\":\"\(code)\"}}" }
        return String(decoding: data, as: UTF8.self)
    }
}
