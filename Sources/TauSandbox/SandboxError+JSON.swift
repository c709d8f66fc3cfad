import TaurunSupport

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
        let body = Body(error: .init(code: code, message: message, exit_code: exitCode, missing_grants: missing))
        return String(decoding: JSONWriter(indent: nil, keyOrder: .sorted).write(encodeJSONValue(body)), as: UTF8.self)
    }
}
