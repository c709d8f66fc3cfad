#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
@testable import TaurunCgroups

/// A temporary directory tree that mirrors cgroupfs control files, removed on deinit.
final class CgroupMirror {
    let root: String

    init() {
        var template = Array("/tmp/taurun-cgmirror-XXXXXX".utf8CString)
        let made: String? = template.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, let result = mkdtemp(base) else { return nil }
            return String(cString: result)
        }
        root = made ?? "/tmp/taurun-cgmirror-failed"
    }

    deinit {
        removeTree(root)
    }

    func path(_ relative: String) -> String {
        relative.isEmpty ? root : root + "/" + relative
    }

    /// mkdir -p, then create each file with its content.
    func dir(_ relative: String, files: [String: String] = [:]) {
        var current = root
        for component in relative.split(separator: "/") {
            current += "/" + component
            mkdir(current, 0o755)
        }
        for (name, content) in files { write(relative + "/" + name, content) }
    }

    func write(_ relative: String, _ content: String) {
        let fd = open(path(relative), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        _ = content.withCString { Glibc.write(fd, $0, strlen($0)) }
        close(fd)
    }

    func read(_ relative: String) -> String? {
        try? CgroupFiles.read(path(relative))
    }

    func exists(_ relative: String) -> Bool {
        access(path(relative), F_OK) == 0
    }

    private func removeTree(_ path: String) {
        for child in CgroupFiles.subdirectories(path) { removeTree(path + "/" + child) }
        for file in CgroupFiles.fileNames(path) { unlink(path + "/" + file) }
        rmdir(path)
    }
}

enum Host {
    static var isRoot: Bool { geteuid() == 0 }

    /// posix_spawn of a program with arguments; stdin from `stdinFD` when given.
    static func spawn(_ arguments: [String], stdinFD: Int32? = nil) -> pid_t? {
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdinFD { posix_spawn_file_actions_adddup2(&actions, stdinFD, 0) }
        // The test runner may block or ignore signals; the child must start with default signal handling so a
        // signal sent through the cgroup acts on it.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        defer { for pointer in argv { free(pointer) } }
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, environ)
        return result == 0 ? pid : nil
    }

    /// waitpid; returns the terminating signal (0 if it exited normally).
    static func waitForSignal(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? 0 : signal
    }

    static func processState(_ pid: pid_t) -> String? {
        guard let text = try? CgroupFiles.read("/proc/\(pid)/status") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("State:") {
            return CgroupFiles.trimmed(String(line.dropFirst("State:".count)))
        }
        return nil
    }
}
