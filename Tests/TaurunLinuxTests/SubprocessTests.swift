import Testing
import TaurunLinux

#if canImport(Glibc)
import Glibc
#endif

/// Subprocess: input on stdin, output collected up to the limit, the environment given or inherited, exit codes,
/// the timeout's SIGKILL, and a program that cannot start.
@Suite struct SubprocessTests {
    func shell(_ script: String, input: [UInt8]? = nil, outputLimit: Int = 4096, timeoutMilliseconds: Int? = nil) -> Subprocess {
        Subprocess("/bin/sh", arguments: ["sh", "-c", script], environment: [], input: input, outputLimit: outputLimit,
                   timeoutMilliseconds: timeoutMilliseconds)
    }

    @Test func inputReachesStdinAndOutputComesBack() throws {
        let result = try shell("cat; echo err >&2; exit 3", input: Array("state".utf8)).run()
        #expect(result.exitCode == 3)
        #expect(!result.timedOut)
        #expect(String(decoding: result.output, as: UTF8.self) == "stateerr\n")
    }

    @Test func stdinIsDevNullWithoutInput() throws {
        let result = try shell("readlink /proc/self/fd/0").run()
        #expect(String(decoding: result.output, as: UTF8.self) == "/dev/null\n")
    }

    @Test func aProgramThatIgnoresItsInputDoesNotKillTheCaller() throws {
        let result = try shell("exec 0<&-; exit 0", input: [UInt8](repeating: 65, count: 1 << 20)).run()
        #expect(result.exitCode == 0)
    }

    @Test func outputIsCutAtTheLimitButReadToTheEnd() throws {
        let result = try shell("head -c 200000 /dev/zero; exit 0", outputLimit: 10).run()
        #expect(result.output == [UInt8](repeating: 0, count: 10))
        #expect(result.exitCode == 0)
    }

    @Test func environmentIsExactlyTheOneGivenOrInherited() throws {
        let given = try Subprocess("/usr/bin/env", arguments: ["env"], environment: ["A=1", "B=2"], outputLimit: 4096).run()
        #expect(String(decoding: given.output, as: UTF8.self) == "A=1\nB=2\n")
        let path = try #require(getenv("PATH").map { String(cString: $0) })
        let inherited = try Subprocess("/usr/bin/env", arguments: ["env"], environment: nil, outputLimit: 1 << 20).run()
        #expect(String(decoding: inherited.output, as: UTF8.self).split(separator: "\n").contains("PATH=\(path)"[...]))
    }

    @Test func aProgramPastItsTimeoutIsKilled() throws {
        let result = try shell("exec sleep 5", timeoutMilliseconds: 100).run()
        #expect(result.timedOut)
        #expect(result.exitCode == 128 + SIGKILL)
    }

    @Test func aProgramWithinItsTimeoutIsNot() throws {
        let result = try shell("exit 0", timeoutMilliseconds: 5000).run()
        #expect(!result.timedOut)
        #expect(result.exitCode == 0)
    }

    @Test func aMissingProgramFailsToStartWithItsErrno() throws {
        let missing = Subprocess("/nonexistent/program", arguments: ["program"], environment: [], outputLimit: 0)
        #expect {
            _ = try missing.run()
        } throws: { error in
            guard case .spawn(let failure) = error as? Subprocess.StartFailure else { return false }
            return failure.errno == .noSuchFileOrDirectory && failure.path == "/nonexistent/program"
        }
    }
}
