import TaurunLinux
import TaurunOCI
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

/// Runs OCI hooks: the container state JSON on stdin, the hook's own args and env, and its timeout enforced with a
/// pidfd so a hung hook is killed, not waited on forever. Of its output, the first 400 bytes go into the error.
enum HookRunner {
    static func run(_ hooks: [Hook], kind: String, state: String) throws(RuntimeError) {
        for hook in hooks { try run(hook, kind: kind, state: state) }
    }

    static func run(_ hook: Hook, kind: String, state: String) throws(RuntimeError) {
        let timeout = hook.timeout.flatMap { $0 > 0 ? $0 : nil }
        // A hook with `env` gets exactly that environment; one without inherits the runtime's, as with runc
        // (Go's exec.Cmd with a nil Env), which hooks such as Podman's and the NVIDIA toolkit's rely on.
        let arguments = hook.args.flatMap { $0.isEmpty ? nil : $0 } ?? [hook.path]
        let hookProcess = Subprocess(hook.path, arguments: arguments, environment: hook.env, input: Array(state.utf8),
                                     outputLimit: 400, timeoutMilliseconds: timeout.map { $0 * 1000 })
        let result: Subprocess.Result
        do { result = try hookProcess.run() } catch {
            switch error {
            case .pipe(let error): throw .system(error)
            case .spawn(let error):
                throw .hook(kind: kind, path: hook.path, reason: errnoText(error.errno.rawValue).lowercased())
            }
        }
        if result.timedOut {
            throw .hook(kind: kind, path: hook.path, reason: "timed out after \(timeout ?? 0)s")
        }
        if let code = result.exitCode, code != 0 {
            let text = String(decoding: result.output, as: UTF8.self).split(separator: "\n").joined(separator: "; ")
            throw .hook(kind: kind, path: hook.path, reason: "exit status \(code)" + (text.isEmpty ? "" : ": \(text)"))
        }
    }
}
