#if canImport(Glibc)
import Glibc
#endif

/// Runs a helper program to completion and collects what it prints: OCI hooks, newuidmap/newgidmap, ps(1). The one
/// way taurun starts a program other than the container's: posix_spawn, never a fork of a caller that may have
/// threads. Synchronous: the caller waits.
public struct Subprocess {
    /// Where the program's stderr goes.
    public enum Errors: Sendable {
        /// Into the same pipe as stdout: the output holds both.
        case withOutput
        /// To taurun's own stderr, for the user to read.
        case inherited
    }

    /// An absolute path, or with `searchesPATH` a name looked up in PATH.
    public var executable: String
    /// argv, argv[0] included.
    public var arguments: [String]
    /// Exactly this environment; nil: taurun's own.
    public var environment: [String]?
    /// Written to the program's stdin, which is then closed; nil: stdin is /dev/null.
    public var input: [UInt8]?
    public var errors: Errors
    /// Bytes of output kept; the rest is read and dropped, so a talkative program never blocks on a full pipe.
    public var outputLimit: Int
    /// When set, the program is killed with SIGKILL once it has run this long after its input was written. Enforced
    /// through a pidfd: not on kernels without pidfd_open (< 5.3).
    public var timeoutMilliseconds: Int?
    public var searchesPATH: Bool

    public init(_ executable: String, arguments: [String], environment: [String]?, input: [UInt8]? = nil,
                errors: Errors = .withOutput, outputLimit: Int, timeoutMilliseconds: Int? = nil,
                searchesPATH: Bool = false) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.input = input
        self.errors = errors
        self.outputLimit = outputLimit
        self.timeoutMilliseconds = timeoutMilliseconds
        self.searchesPATH = searchesPATH
    }

    public struct Result: Sendable {
        /// The shell-style exit code (status, or 128+signal); nil when it could not be reaped, which happens only
        /// when whoever started taurun left SIGCHLD ignored and the kernel reaped the program itself.
        public var exitCode: Int32?
        /// Killed for running past `timeoutMilliseconds`.
        public var timedOut: Bool
        /// The first `outputLimit` bytes of stdout (and stderr with `.withOutput`).
        public var output: [UInt8]
    }

    /// Why the program did not start.
    public enum StartFailure: Error {
        /// No pipe for its stdin or output (taurun is out of fds).
        case pipe(SyscallError)
        /// posix_spawn failed (call "posix_spawn", path the executable): no such file, permission denied, ...
        case spawn(SyscallError)

        public var syscallError: SyscallError {
            switch self {
            case .pipe(let error), .spawn(let error): error
            }
        }
    }

    public func run() throws(StartFailure) -> Result {
        let inputPipe: (read: Int32, write: Int32)?
        let outputPipe: (read: Int32, write: Int32)
        do { inputPipe = input == nil ? nil : try Files.pipe() } catch { throw .pipe(error) }
        do { outputPipe = try Files.pipe() } catch {
            if let inputPipe { close(inputPipe.read); close(inputPipe.write) }
            throw .pipe(error)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let inputPipe {
            posix_spawn_file_actions_adddup2(&actions, inputPipe.read, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, outputPipe.write, 1)
        if errors == .withOutput { posix_spawn_file_actions_adddup2(&actions, outputPipe.write, 2) }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var env: [UnsafeMutablePointer<CChar>?] = (environment ?? []).map { strdup($0) } + [nil]
        defer { for p in argv + env { free(p) } }
        var pid: pid_t = 0
        let rc = env.withUnsafeMutableBufferPointer { env in
            let envp = environment == nil ? environ : env.baseAddress
            return searchesPATH
                ? posix_spawnp(&pid, executable, &actions, nil, &argv, envp)
                : posix_spawn(&pid, executable, &actions, nil, &argv, envp)
        }
        if let inputPipe { close(inputPipe.read) }
        close(outputPipe.write)
        guard rc == 0 else {
            if let inputPipe { close(inputPipe.write) }
            close(outputPipe.read)
            throw .spawn(SyscallError("posix_spawn", executable, rawErrno: rc))
        }
        if let inputPipe, let input {
            // The program may not read its stdin at all: a closed pipe must not kill taurun with SIGPIPE.
            let previous = signal(SIGPIPE, SIG_IGN)
            _ = try? Files.writeAll(fd: inputPipe.write, input, path: executable + " stdin")
            close(inputPipe.write)
            signal(SIGPIPE, previous)
        }
        var timedOut = false
        if let timeoutMilliseconds, !Processes.awaitChildExit(pid, timeoutMilliseconds: timeoutMilliseconds) {
            kill(pid, SIGKILL)
            timedOut = true
        }
        let output = readOutput(outputPipe.read)
        close(outputPipe.read)
        let exitCode = (try? Processes.wait(pid)) ?? nil
        return Result(exitCode: exitCode, timedOut: timedOut, output: output)
    }

    /// Reads until every writer is gone, keeping the first `outputLimit` bytes; a read error ends it like EOF.
    private func readOutput(_ fd: Int32) -> [UInt8] {
        var kept: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return kept }
            if kept.count < outputLimit { kept += buffer[0..<min(n, outputLimit - kept.count)] }
        }
    }
}
