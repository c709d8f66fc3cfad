#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

import TauSandbox
import TaurunLinux

/// Runs a helper program (mkfs.ext4, mount, umount, apparmor_parser) through TaurunLinux's Subprocess, with a fixed
/// PATH and the C locale, and collects its output. Nothing here is on the container create path; convert is
/// single-threaded and waits synchronously.
enum HelperCommand {
    struct Result {
        var status: Int32
        /// stdout and stderr, lines joined with "; ".
        var output: String
        /// Whether the output reached `outputLimit` bytes, after which the rest was read and dropped.
        var truncated = false
    }

    static let outputLimit = 65536

    private static let environment = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"]

    /// `input`: bytes for the helper's stdin (else /dev/null), e.g. an AppArmor profile: passed through a pipe, never a
    /// file someone else could swap between writing and loading.
    static func run(_ program: String, _ arguments: [String], input: [UInt8]? = nil) throws(SandboxError) -> Result {
        let subprocess = Subprocess(
            program, arguments: [program] + arguments, environment: environment, input: input, errors: .withOutput,
            outputLimit: outputLimit, searchesPATH: true)
        let result: Subprocess.Result
        do { result = try subprocess.run() } catch {
            let failure = error.syscallError
            throw .io(call: failure.call, path: program, errno: failure.errno.rawValue)
        }
        // Not reaped: whoever started taurun left SIGCHLD ignored, so the exit status is lost.
        guard let status = result.exitCode else { throw .io(call: "waitpid", path: program, errno: ECHILD) }
        let text = String(decoding: result.output, as: UTF8.self).split(separator: "\n").joined(separator: "; ")
        return Result(status: status, output: text, truncated: result.output.count >= outputLimit)
    }

    /// Runs and throws `toolFailed` on a non-zero exit.
    static func check(_ program: String, _ arguments: [String], input: [UInt8]? = nil) throws(SandboxError) {
        let result = try run(program, arguments, input: input)
        guard result.status == 0 else {
            throw .toolFailed(tool: program, arguments: arguments, status: result.status, output: result.output)
        }
    }
}
