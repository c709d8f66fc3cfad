#if canImport(Glibc)
import Glibc
#endif
@testable import TauProvisioning
@testable import TauSandbox

/// Paths, temp directories and a posix_spawn runner for the tests (no Foundation).
enum TestSupport {
    static let testsDirectory: String = {
        let file = String(#filePath)
        return String(file[..<(file.lastIndex(of: "/") ?? file.endIndex)])
    }()
    static let fixtures = testsDirectory + "/Fixtures"
    static let repositoryRoot: String = {
        var path = testsDirectory
        for _ in 0..<2 { path = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)]) }
        return path
    }()
    static let schemaDirectory = "/usr/share/gocode/src/github.com/opencontainers/runtime-spec/schema"

    static var isRoot: Bool { geteuid() == 0 }

    static func temporaryDirectory(_ tag: String) -> String {
        var template = Array("/tmp/tausandbox-\(tag)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> UnsafeMutablePointer<CChar>? in
            guard let base = buffer.baseAddress else { return nil }
            return mkdtemp(base)
        }
        precondition(made != nil, "mkdtemp failed")
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        chmod(path, 0o755)
        return path
    }

    static func remove(_ path: String) {
        _ = run("/bin/rm", ["-rf", path])
    }

    static func write(_ path: String, _ text: String) {
        try? FileSystem.createFile(path, bytes: Array(text.utf8))
    }

    static func read(_ path: String) -> String? {
        (try? FileSystem.readFile(path)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A tiny rootfs: bin/busybox (a copy of the host's), a few applet symlinks, etc/passwd.
    static func makeRootfs(in directory: String) -> String {
        let rootfs = directory + "/rootfs"
        _ = mkdir(rootfs, 0o755)
        _ = mkdir(rootfs + "/bin", 0o755)
        _ = mkdir(rootfs + "/etc", 0o755)
        write(rootfs + "/bin/busybox", "not really busybox\n")
        for applet in ["sh", "ls", "cat"] { _ = symlink("busybox", rootfs + "/bin/" + applet) }
        write(rootfs + "/etc/passwd", "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n")
        return rootfs
    }

    struct Result {
        var status: Int32
        var output: String
    }

    /// Runs a program, stdout+stderr captured.
    static func run(_ program: String, _ arguments: [String]) -> Result {
        (try? HelperCommand.run(program, arguments)).map { Result(status: $0.status, output: $0.output) }
            ?? Result(status: -1, output: "spawn failed")
    }
}

/// A prompter with scripted answers, recording what it was asked.
struct ScriptedPrompter: ConsentPrompter {
    var answers: [Permission: Bool]
    var asked: [Permission] = []

    mutating func ask(app: AppID, appName: String, permission: Permission) -> Bool? {
        asked.append(permission)
        return answers[permission]
    }
}
