#if canImport(Glibc)
import Glibc
#endif

/// Runs a short-lived helper program (newuidmap, newgidmap) to completion: stdin from /dev/null, stdout and stderr
/// collected, a fixed environment. Synchronous: the caller is single-threaded and waits.
public enum Subprocess {
    public struct Result: Sendable {
        public var status: Int32
        /// stdout and stderr together, trimmed, at most 4 KiB.
        public var output: String
    }

    public static func run(_ path: String, _ arguments: [String]) throws(SyscallError) -> Result {
        let out = try Files.pipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out.write, 1)
        posix_spawn_file_actions_adddup2(&actions, out.write, 2)
        var argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let environment = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"]
        var env: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) }; for p in env { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, &argv, &env)
        close(out.write)
        guard rc == 0 else { close(out.read); throw SyscallError("posix_spawn", path, rawErrno: rc) }
        var collected: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(out.read, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            if collected.count < 4096 { collected += buffer[0..<min(n, 4096 - collected.count)] }
        }
        close(out.read)
        let status = try Processes.wait(pid) ?? 0
        var text = String(decoding: collected, as: UTF8.self)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return Result(status: status, output: text)
    }
}
