/// An error that can stand for a failed file call: which call (`open`, `rename`), on which path, and the errno. Each
/// module keeps its own error type and its own wording (SandboxError, AuditError, SpecError, SyscallError); `FileIO`
/// throws whichever its caller names.
public protocol FileCallError: Error {
    init(call: String, path: String, errno: Int32)
}
