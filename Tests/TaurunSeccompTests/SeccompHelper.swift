// Runs programs under a compiled seccomp filter in a separate process (a filter cannot be removed from the process
// that loads it, and fork is unsafe in the threaded test runner): the filter bytes go to a temp file, and the
// `seccomp-exec` helper (SeccompHelperSource) loads them and execs busybox or runs one probe syscall.

import Foundation
import TaurunSeccomp

enum SeccompHelper {
    struct Outcome {
        var exitCode: Int32?
        var signal: Int32?
        var stdout: String
        var stderr: String
    }

    static let isRoot = getuid() == 0
    static let busybox = ["/bin/busybox", "/usr/bin/busybox"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Path of the compiled helper, built once per version of its sources and reused by later test runs (the
    /// directory name carries a hash of the helper's and clinux.c's text); nil, with the reason printed, when cc fails.
    static let executable: String? = {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let shim = packageRoot.appendingPathComponent("Sources/CLinux/clinux.c")
        // clinux.c refers to the exec trampoline's image, which exec_trampoline.S defines: both go into the helper.
        let trampoline = packageRoot.appendingPathComponent("Sources/CLinux/exec_trampoline.S")
        let shimText = ((try? String(contentsOf: shim, encoding: .utf8)) ?? "") + ((try? String(contentsOf: trampoline, encoding: .utf8)) ?? "")
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (SeccompHelperSource.text + shimText).utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("taurun-seccomp-helper-\(String(hash, radix: 16))")
        let binary = directory.appendingPathComponent("seccomp-exec")
        if FileManager.default.isExecutableFile(atPath: binary.path) { return binary.path }
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let source = directory.appendingPathComponent("seccomp-exec-\(getpid()).c")
        let building = directory.appendingPathComponent("seccomp-exec.tmp.\(getpid())")
        defer { try? FileManager.default.removeItem(at: source) }
        guard (try? SeccompHelperSource.text.write(to: source, atomically: true, encoding: .utf8)) != nil else { return nil }
        let compile = run(
            "/usr/bin/cc",
            ["-O2", "-Wall", "-I", packageRoot.appendingPathComponent("Sources/CLinux/include").path, source.path, shim.path,
             trampoline.path, "-o", building.path])
        guard compile.exitCode == 0 else {
            print("seccomp-exec did not compile: \(compile.stderr)")
            return nil
        }
        // rename(2) so a concurrent test run sees either no helper or a complete one.
        guard rename(building.path, binary.path) == 0 else { return nil }
        return binary.path
    }()

    /// Loads `program` in a fresh helper process, then execs `arguments` (arguments[0] is the program path).
    static func run(_ program: SeccompProgram, _ arguments: [String]) throws -> Outcome {
        guard let executable else { throw HelperUnavailable() }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("taurun-seccomp-\(UUID().uuidString).bpf")
        try Data(program.instructions).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return run(executable, [String(program.loadFlags), file.path] + arguments)
    }

    /// Loads `program`, makes the raw syscall named `probe` and returns its (rc, errno).
    static func probe(_ program: SeccompProgram, _ probe: String) throws -> (rc: Int, errno: Int32) {
        let outcome = try run(program, ["--probe", probe])
        let fields = outcome.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard outcome.exitCode == 0, fields.count == 2, let rc = Int(fields[0].dropFirst(3)),
            let err = Int32(fields[1].dropFirst(6))
        else {
            throw UnexpectedOutput(text: "exit \(String(describing: outcome.exitCode)) signal \(String(describing: outcome.signal)): \(outcome.stdout) \(outcome.stderr)")
        }
        return (rc, err)
    }

    static func run(_ path: String, _ arguments: [String]) -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do {
            try process.run()
        } catch {
            return Outcome(exitCode: nil, signal: nil, stdout: "", stderr: "\(error)")
        }
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let signaled = process.terminationReason == .uncaughtSignal
        return Outcome(
            exitCode: signaled ? nil : process.terminationStatus, signal: signaled ? process.terminationStatus : nil,
            stdout: String(decoding: stdoutData, as: UTF8.self), stderr: String(decoding: stderrData, as: UTF8.self))
    }

    struct HelperUnavailable: Error {}
    struct UnexpectedOutput: Error { var text: String }
}

/// One decoded `struct sock_filter`.
struct BPFInstruction: Equatable {
    var code: UInt16
    var jt: UInt8
    var jf: UInt8
    var k: UInt32

    static func decode(_ program: SeccompProgram) -> [BPFInstruction] {
        let bytes = program.instructions
        return stride(from: 0, to: bytes.count, by: 8).map { at in
            BPFInstruction(
                code: UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8, jt: bytes[at + 2], jf: bytes[at + 3],
                k: UInt32(bytes[at + 4]) | UInt32(bytes[at + 5]) << 8 | UInt32(bytes[at + 6]) << 16 | UInt32(bytes[at + 7]) << 24)
        }
    }

    /// BPF_RET | BPF_K: the filter returns the constant k.
    var isReturn: Bool { code == 0x06 }
}
