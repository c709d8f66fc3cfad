import TaurunLinux
import TaurunOCI

#if canImport(Glibc)
import Glibc
#endif

/// Runs OCI hooks: the container state JSON on stdin, the hook's own args and env, and its timeout enforced with a
/// pidfd so a hung hook is killed, not waited on forever.
enum HookRunner {
    static func run(_ hooks: [Hook], kind: String, state: String) throws(RuntimeError) {
        for hook in hooks { try run(hook, kind: kind, state: state) }
    }

    static func run(_ hook: Hook, kind: String, state: String) throws(RuntimeError) {
        let stdinPipe: [Int32], outPipe: [Int32]
        do {
            let input = try Files.pipe(), output = try Files.pipe()
            (stdinPipe, outPipe) = ([input.read, input.write], [output.read, output.write])
        } catch { throw .system(error) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 2)
        let args = (hook.args?.isEmpty == false ? hook.args! : [hook.path])
        var cargs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        // A hook with `env` gets exactly that environment; one without inherits the runtime's, as with runc
        // (Go's exec.Cmd with a nil Env), which hooks such as Podman's and the NVIDIA toolkit's rely on.
        var cenv: [UnsafeMutablePointer<CChar>?] = (hook.env ?? []).map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) }; for p in cenv { free(p) } }
        var pid: pid_t = 0
        let rc = hook.env == nil
            ? posix_spawn(&pid, hook.path, &actions, nil, &cargs, environ)
            : posix_spawn(&pid, hook.path, &actions, nil, &cargs, &cenv)
        close(stdinPipe[0]); close(outPipe[1])
        guard rc == 0 else {
            close(stdinPipe[1]); close(outPipe[0])
            throw .hook(kind: kind, path: hook.path, reason: String(cString: strerror(rc)).lowercased())
        }
        // The hook may not read its stdin at all: a closed pipe must not kill us with SIGPIPE.
        let oldPipe = signal(SIGPIPE, SIG_IGN)
        _ = try? Files.writeAll(fd: stdinPipe[1], Array(state.utf8), path: "hook stdin")
        close(stdinPipe[1])
        signal(SIGPIPE, oldPipe)

        let pidfd = Pidfd(pid: pid)
        var timedOut = false
        if let timeout = hook.timeout, timeout > 0, let pidfd {
            var pfd = pollfd(fd: pidfd.fd, events: Int16(POLLIN), revents: 0)
            let deadline = Clock.monotonicMilliseconds() + Int64(timeout) * 1000
            while true {
                let left = deadline - Clock.monotonicMilliseconds()
                if left <= 0 { timedOut = true; break }
                let r = poll(&pfd, 1, Int32(min(left, Int64(Int32.max))))
                if r > 0 { break }
                if r < 0 && errno != EINTR { break }
            }
            if timedOut { kill(pid, SIGKILL) }
        }
        pidfd?.close()
        let output = (try? Files.readAll(fd: outPipe[0], path: "hook output")) ?? []
        close(outPipe[0])
        let code = (try? Processes.wait(pid)) ?? nil
        if timedOut {
            throw .hook(kind: kind, path: hook.path, reason: "timed out after \(hook.timeout ?? 0)s")
        }
        if let code, code != 0 {
            var text = String(decoding: output.prefix(400), as: UTF8.self)
            text = text.split(separator: "\n").joined(separator: "; ")
            throw .hook(kind: kind, path: hook.path, reason: "exit status \(code)" + (text.isEmpty ? "" : ": \(text)"))
        }
    }
}

enum Clock {
    static func monotonicMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
