import TauSandbox
import TaurunLinux

extension SandboxError {
    /// A failed TaurunLinux call as convert reports it: `.io` with the call, the path it named and the errno.
    init(_ failure: SyscallError) {
        self = .io(call: failure.call, path: failure.path ?? "", errno: failure.errno.rawValue)
    }
}
