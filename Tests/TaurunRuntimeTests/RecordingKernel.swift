import TaurunLinux
import TaurunOCI
import TaurunSeccomp
@testable import TaurunRuntime
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

/// An InitKernel that touches nothing: it records every call, in order, into one trace, answers from a small
/// model (an fd table with close-on-exec flags, paths of the fds it hands out, a few files) and plays the parent's
/// half of the sync exchange from `script`. At the exec it notes which fds the program would get: those open and
/// not close-on-exec (plus the one the trampoline is handed and closes itself).
final class RecordingKernel: InitKernel {
    typealias ProcHandle = Int32

    struct Call: CustomStringConvertible {
        var name: String
        var detail: String
        var description: String { detail.isEmpty ? name : name + " " + detail }
    }

    private(set) var calls: [Call] = []
    /// What the parent sends, in order; the child reads EOF once it is used up.
    var script: [SyncMessage]
    /// fd → (what it names, close-on-exec).
    private(set) var fds: [Int32: (path: String, cloexec: Bool)]
    private var nextFD: Int32 = 100
    /// Paths that are directories (for stat), and paths that do not exist (openat2 fails with ENOENT).
    var directories: Set<String> = []
    var missing: Set<String> = []
    var executables: Set<String> = ["/bin/true", "/bin/sh"]
    private var cwd = "/"
    /// The fds the program would find open, filled in by `exec`.
    private(set) var fdsAtExec: [Int32]?
    private(set) var execMode: ExecTrampoline.Mode?
    private(set) var execEnv: [String]?
    /// The container's /etc/passwd (nil: unreadable).
    var passwd: String?

    /// `inherited`: what the child finds open after the clone (fd → (path, close-on-exec)); stdio is added.
    init(script: [SyncMessage], inherited: [Int32: (path: String, cloexec: Bool)] = [:]) {
        self.script = script
        var table: [Int32: (path: String, cloexec: Bool)] = [0: ("stdin", false), 1: ("stdout", false), 2: ("stderr", false)]
        for (fd, entry) in inherited { table[fd] = entry }
        fds = table
    }

    // MARK: Reading the trace

    var names: [String] { calls.map(\.name) }

    /// Index of the first call named `name` (and whose detail contains `detail`), nil when there is none.
    func first(_ name: String, _ detail: String = "") -> Int? {
        calls.firstIndex { $0.name == name && (detail.isEmpty || $0.detail.contains(detail)) }
    }

    func last(_ name: String, _ detail: String = "") -> Int? {
        calls.lastIndex { $0.name == name && (detail.isEmpty || $0.detail.contains(detail)) }
    }

    func all(_ name: String) -> [Int] { calls.indices.filter { calls[$0].name == name } }

    // MARK: Model

    private func record(_ name: String, _ detail: String = "") { calls.append(Call(name: name, detail: detail)) }

    private func newFD(_ path: String) -> Int32 {
        nextFD += 1
        fds[nextFD] = (path, true)   // TaurunLinux opens everything close-on-exec
        return nextFD
    }

    private func pathOf(_ fd: Int32) -> String { fd == -100 ? cwd : fds[fd]?.path ?? "fd\(fd)" }

    private func joined(_ base: String, _ rel: String) -> String {
        if rel.hasPrefix("/") { return rel }
        if rel.isEmpty || rel == "." { return base }
        return (base == "/" ? "" : base) + "/" + rel
    }

    private func statOf(_ path: String) -> Glibc.stat {
        var st = Glibc.stat()
        if path == "/dev/null" {
            st.st_mode = 0o020666
            st.st_rdev = 0x0103  // 1:3, as the kernel encodes it (DeviceNumber(rdev:) reads it back)
        } else if directories.contains(path) {
            st.st_mode = 0o040755
        } else if path.hasPrefix("std") {
            st.st_mode = 0o020620
            st.st_rdev = 0x8800  // 136:0
        } else {
            st.st_mode = 0o100755
        }
        return st
    }

    // MARK: InitKernel

    func hideFromContainer() { record("hideFromContainer") }
    func showToRuntimeHooks() { record("showToRuntimeHooks") }
    func dieWithParent(expectedParent: pid_t) { record("dieWithParent") }
    func setParentDeathSignal(_ signal: Int32) throws(SyscallError) { record("setParentDeathSignal") }
    func clearParentDeathSignal() { record("clearParentDeathSignal") }
    func newSession() throws(SyscallError) { record("setsid") }
    func joinSessionKeyring(named name: String) throws(SyscallError) { record("joinSessionKeyring", name) }
    func setNoNewPrivileges() throws(SyscallError) { record("noNewPrivileges") }
    func resetSignals() throws(SyscallError) { record("resetSignals") }
    func setUmask(_ mask: UInt32) { record("umask", String(mask, radix: 8)) }
    func setRlimit(_ limit: ProcessPlan.Rlimit) throws(SyscallError) { record("setrlimit", limit.name) }
    func closeOnExec(from first: Int32) throws(SyscallError) {
        record("closeOnExec", "\(first)")
        for fd in fds.keys where fd >= first { fds[fd]?.cloexec = true }
    }
    func keepAcrossExec(_ fd: Int32) {
        record("keepAcrossExec", "\(fd)")
        fds[fd]?.cloexec = false
    }

    func becomeNamespaceRoot() throws(SyscallError) { record("becomeNamespaceRoot") }
    func limitBounding(to keep: [UInt32]) throws(SyscallError) { record("limitBounding", "\(keep)") }
    func setKeepCapabilities(_ on: Bool) throws(SyscallError) { record("keepCapabilities", "\(on)") }
    func setGroups(_ groups: [UInt32]) throws(SyscallError) { record("setgroups", "\(groups)") }
    func setGID(_ gid: UInt32) throws(SyscallError) { record("setgid", "\(gid)") }
    func setUID(_ uid: UInt32) throws(SyscallError) { record("setuid", "\(uid)") }
    func applyCapabilities(_ sets: Capabilities.Sets) throws(SyscallError) { record("capabilities", "\(sets.effective)") }

    func joinNamespace(fd: Int32, kind: NamespaceKind, path: String) throws(SyscallError) { record("setns", kind.procName) }
    func unshare(_ flags: Int32) throws(SyscallError) { record("unshare", "\(flags)") }
    func cloneSibling() throws(SyscallError) -> pid_t { record("cloneSibling"); return 0 }
    func setHostname(_ name: String) throws(SyscallError) { record("sethostname", name) }
    func setDomainname(_ name: String) throws(SyscallError) { record("setdomainname", name) }

    func open(_ path: String, _ flags: Int32) throws(SyscallError) -> Int32 {
        record("open", path)
        return newFD(path)
    }
    func openat(_ dirfd: Int32, _ name: String, _ flags: Int32, display: String) throws(SyscallError) -> Int32 {
        record("openat", display)
        return newFD(joined(pathOf(dirfd), name))
    }
    func openat2(_ dirfd: Int32, _ path: String, flags: Int32, resolve: UInt64, display: String?) throws(SyscallError) -> Int32 {
        let full = joined(pathOf(dirfd), path)
        record("openat2", full)
        if missing.contains(full) { throw SyscallError("openat2", full, errno: .noSuchFileOrDirectory) }
        return newFD(full)
    }
    func createInRoot(rootFD: Int32, _ relative: String, directory: Bool, display: String) throws(SyscallError) -> Int32 {
        record("createInRoot", display)
        return newFD(joined(pathOf(rootFD), relative))
    }
    func openDeepestExisting(rootFD: Int32, _ relative: String, display: String) throws(SyscallError) -> Int32 {
        record("openDeepestExisting", display)
        return newFD(joined(pathOf(rootFD), relative))
    }
    func close(_ fd: Int32) {
        record("close", "\(fd)")
        fds[fd] = nil
    }
    func path(of fd: Int32) throws(SyscallError) -> String { pathOf(fd) }
    func isProcFS(fd: Int32) -> Bool { false }
    func exists(_ path: String) -> Bool { !missing.contains(path) }
    func stat(fd: Int32) throws(SyscallError) -> Glibc.stat { statOf(pathOf(fd)) }
    func stat(path: String) throws(SyscallError) -> Glibc.stat {
        guard path == "/dev/null" || executables.contains(path) || directories.contains(path) else {
            throw SyscallError("stat", path, errno: .noSuchFileOrDirectory)
        }
        return statOf(path)
    }
    func isExecutable(_ path: String) -> Bool { executables.contains(path) }
    func changeOwner(fd: Int32, uid: UInt32, gid: UInt32) throws(SyscallError) { record("fchown", "\(fd) \(uid)") }
    func changeOwner(path: String, uid: UInt32, gid: UInt32, display: String) throws(SyscallError) { record("chown", display) }
    func changeMode(path: String, _ mode: UInt32, display: String) throws(SyscallError) { record("chmod", display) }
    func makeDirectory(in dirfd: Int32, _ name: String, display: String) throws(SyscallError) { record("mkdir", display) }
    func makeNode(_ path: String, kind: FileKind, mode: UInt32, major: UInt32, minor: UInt32) throws(SyscallError) {
        record("mknod", path)
    }
    func symlink(_ target: String, at path: String, display: String) throws(SyscallError) { record("symlink", display) }
    func unlink(_ path: String) { record("unlink", path) }
    func copyTree(from source: Int32, to target: Int32, display: String) throws { record("copyTree", display) }
    func readFile(_ path: String) -> String? {
        record("readFile", path)
        return path == "/etc/passwd" ? passwd : nil
    }
    func changeDirectory(_ path: String) throws(SyscallError) {
        record("chdir", path)
        cwd = joined(cwd, path)
    }
    func changeDirectory(fd: Int32, display: String) throws(SyscallError) {
        record("fchdir", display)
        cwd = pathOf(fd)
    }
    func currentDirectory() throws(SyscallError) -> String { cwd }
    func changeRoot(_ path: String, display: String) throws(SyscallError) { record("chroot", display) }

    func mount(source: String?, target: String, type: String?, flags: MountFlags, data: String?,
               display: String?) throws(SyscallError) {
        record("mount", "\(display ?? target) \(type ?? "-") \(flags.rawValue)")
    }
    func unmount(_ target: String) throws(SyscallError) { record("umount", target) }
    func pivotRoot(newRoot: String, putOld: String) throws(SyscallError) { record("pivot_root") }
    func lockedFlags(of path: String) -> MountFlags { [] }
    func setMountAttributes(fd: Int32, _ attributes: Mounts.Attributes, recursive: Bool, display: String) throws(SyscallError) {
        record("mount_setattr", display)
    }
    func cloneTree(of fd: Int32, display: String) throws(SyscallError) -> Int32 {
        record("open_tree", display)
        return newFD(pathOf(fd))
    }
    func attach(tree: Int32, onto target: Int32, display: String) throws(SyscallError) { record("move_mount", display) }

    func openProcFS() throws(SyscallError) -> Int32 {
        record("openProcFS")
        return newFD("procfs")
    }
    func write(_ procfs: Int32, _ path: String, _ value: String) throws(SyscallError) { record("procWrite", path + "=" + value) }
    func readString(_ procfs: Int32, _ path: String) throws(SyscallError) -> String {
        record("procRead", path)
        return path == "self/setgroups" ? "allow\n" : ""
    }
    func withFDPaths<T>(_ procfs: Int32, _ body: ((Int32) -> String) throws -> T) throws -> T {
        try body { fd in "procfs/self/fd/\(fd)" }
    }

    func joinCgroupTasks(_ tasksFiles: [String]) throws(SyscallError) { record("joinCgroupTasks") }
    func setUpConsole(socketFD: Int32, size: (rows: UInt16, cols: UInt16)?, controlling: Bool) throws(SyscallError) {
        record("setUpConsole", controlling ? "controlling" : "stdio")
        if socketFD >= 0 { fds[socketFD] = nil }
    }
    func loadSeccomp(_ program: SeccompProgram) throws(SyscallError) -> Int32 {
        record("seccomp")
        return program.usesNotify ? newFD("seccomp listener") : -1
    }
    func runHooks(_ hooks: [Hook], kind: String, state: String) throws(RuntimeError) {
        if !hooks.isEmpty { record("hooks", kind) }
    }
    func send(_ message: SyncMessage, over sync: SyncChannel) throws(SyscallError) { record("send", "\(message)") }
    func receive(from sync: SyncChannel) throws(SyscallError) -> SyncMessage? {
        guard !script.isEmpty else {
            record("receive", "EOF")
            return nil
        }
        let message = script.removeFirst()
        record("receive", "\(message)")
        return message
    }
    func waitForStart(fifo: Int32) -> Bool {
        record("waitForStart")
        return true
    }
    func exec(_ trampoline: ExecTrampoline, _ mode: ExecTrampoline.Mode, path: String, args: [String],
              env: [String]) -> SyscallError {
        record("exec", path)
        execMode = mode
        execEnv = env
        var open = fds.filter { !$0.value.cloexec }.map(\.key)
        // The trampoline is handed this fd (close-on-exec cleared by ExecTrampoline.exec) and closes it itself.
        switch mode {
        case .exec: break
        case .waitForByte(let fd), .spawnSibling(let fd, _): open.append(fd)
        }
        fdsAtExec = Array(Set(open)).sorted()
        return SyscallError("execveat", "recorded", errno: .noSuchFileOrDirectory)
    }
}
