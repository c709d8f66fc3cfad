#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs a helper program (mkfs.ext4, mount, apparmor_parser) with posix_spawn and collects its output. Nothing
/// here is on the container create path; convert is single-threaded and waits synchronously.
enum HelperCommand {
    struct Result {
        var status: Int32
        /// stdout and stderr, lines joined with "; ".
        var output: String
        /// Whether the output reached `outputLimit` bytes, after which the rest was read and dropped.
        var truncated = false
    }

    static let outputLimit = 65536

    private static let environmentStrings: [String] = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"]

    /// `input`: bytes for the helper's stdin (else /dev/null), e.g. an AppArmor profile: passed through a pipe, never a
    /// file someone else could swap between writing and loading.
    static func run(_ program: String, _ arguments: [String], input: [UInt8]? = nil) throws(SandboxError) -> Result {
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else { throw .io(call: "pipe", path: program, errno: errno) }
        // The read end must not leak into the child (it would never see EOF otherwise).
        _ = fcntl(pipeFDs[0], F_SETFD, FD_CLOEXEC)
        var inputFDs: [Int32] = [-1, -1]
        if input != nil {
            guard pipe(&inputFDs) == 0 else {
                close(pipeFDs[0]); close(pipeFDs[1])
                throw .io(call: "pipe", path: program, errno: errno)
            }
            _ = fcntl(inputFDs[1], F_SETFD, FD_CLOEXEC)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if input != nil {
            posix_spawn_file_actions_adddup2(&actions, inputFDs[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 2)

        var cArgv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        defer { cArgv.forEach { free($0) } }
        var cEnvironment: [UnsafeMutablePointer<CChar>?] = environmentStrings.map { strdup($0) } + [nil]
        defer { cEnvironment.forEach { free($0) } }

        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, program, &actions, nil, &cArgv, &cEnvironment)
        close(pipeFDs[1])
        if input != nil { close(inputFDs[0]) }
        guard spawned == 0 else {
            close(pipeFDs[0])
            if input != nil { close(inputFDs[1]) }
            throw .io(call: "posix_spawn", path: program, errno: spawned)
        }
        if let input {
            // A helper that stops reading must not kill convert with SIGPIPE.
            let previous = signal(SIGPIPE, SIG_IGN)
            var offset = 0
            while offset < input.count {
                let n = input.withUnsafeBytes { write(inputFDs[1], $0.baseAddress! + offset, $0.count - offset) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                offset += n
            }
            close(inputFDs[1])
            signal(SIGPIPE, previous)
        }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(pipeFDs[0], $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            if output.count < outputLimit { output.append(contentsOf: buffer[0..<count]) }
        }
        close(pipeFDs[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { throw .io(call: "waitpid", path: program, errno: errno) }
        }
        // WIFEXITED / WEXITSTATUS by hand (macros are not visible to Swift).
        let exitStatus: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        let text = String(decoding: output, as: UTF8.self).split(separator: "\n").joined(separator: "; ")
        return Result(status: exitStatus, output: text, truncated: output.count >= outputLimit)
    }

    /// Runs and throws `toolFailed` on a non-zero exit.
    static func check(_ program: String, _ arguments: [String], input: [UInt8]? = nil) throws(SandboxError) {
        let result = try run(program, arguments, input: input)
        guard result.status == 0 else {
            throw .toolFailed(tool: program, arguments: arguments, status: result.status, output: result.output)
        }
    }
}
