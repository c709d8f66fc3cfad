import TaurunAudit
import TaurunLinux
import TaurunOCI
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

/// The state root (`--root`, default /run/taurun): one directory per container holding state.json (replaced
/// atomically), the exec fifo, and nothing else. Commands on one id serialise on flock(2) of its directory;
/// commands on different ids never wait on each other.
public struct StateStore: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    public func directory(of id: String) -> String { root + "/" + id }
    public func stateFile(of id: String) -> String { directory(of: id) + "/state.json" }
    public func execFifo(of id: String) -> String { directory(of: id) + "/exec.fifo" }
    /// The line of a violation that terminated a Tau app, written by its security monitor for `run` to print.
    public func violationFile(of id: String) -> String { directory(of: id) + "/violation" }
    /// What the security monitor of a `taurun learn` run saw: one audit record (JSON line) per distinct call.
    public func learnFile(of id: String) -> String { directory(of: id) + "/learned" }

    /// Creates the container's directory. mkdir is atomic, so of N concurrent creates of one id exactly one wins;
    /// the others fail without touching the winner's files.
    public func reserve(_ id: String) throws(RuntimeError) -> Lock {
        // 0700 like runc's root; the check after catches a root that someone else made first.
        do { try Files.mkdirAll(root, mode: 0o700) } catch { throw .system(error) }
        try checkRoot()
        do { try Files.makeDirectory(at: AT_FDCWD, directory(of: id), mode: 0o711, display: directory(of: id)) } catch {
            if error.errno == .fileExists { throw .alreadyExists(id) }
            throw .system(error)
        }
        return try lock(id, created: true)
    }

    /// The root holds what taurun trusts (pids it signals, cgroup dirs it removes, fifos it opens): it must be
    /// private. A root that is a symlink (lstat), is not a directory, belongs to someone other than the caller or
    /// root, or is writable by group or others is refused. A root that does not exist yet is fine (nothing to read).
    public func checkRoot() throws(RuntimeError) {
        let st: stat
        do { st = try FileIO<SyscallError>.status(root) } catch {
            if error.errno == .noSuchFileOrDirectory { return }
            throw .system(error)
        }
        if let problem = PrivateDirectory.problem(mode: UInt32(st.st_mode), owner: st.st_uid, euid: ProcessIdentity.effectiveUID) {
            throw .usage("state root \(jsonQuoted(root)) \(problem); refusing to use it (--root)")
        }
    }

    /// Takes the exclusive lock on an existing container; throws notExist when there is none.
    public func lock(_ id: String, created: Bool = false) throws(RuntimeError) -> Lock {
        if !created { try checkRoot() }
        let dir = directory(of: id)
        let fd: Int32
        do { fd = try Files.open(dir, O_RDONLY | O_DIRECTORY) } catch {
            if error.errno == .noSuchFileOrDirectory || error.errno == .notDirectory { throw .notExist(id) }
            throw .system(error)
        }
        do { try FileIO<SyscallError>.lock(fd, LOCK_EX, path: dir) } catch { Files.close(fd); throw .system(error) }
        // A delete may have removed the directory while we waited for the lock.
        if !created && ((try? Files.stat(fd: fd))?.st_nlink ?? 0) == 0 { Files.close(fd); throw .notExist(id) }
        return Lock(fd: fd)
    }

    public func load(_ id: String) throws(RuntimeError) -> ContainerRecord {
        try checkRoot()
        let bytes: [UInt8]
        do { bytes = try Files.read(stateFile(of: id)) } catch {
            if error.errno == .noSuchFileOrDirectory {
                // The directory exists but create died before its first state write: a leftover only
                // delete --force cleans, shown as nothing else.
                if Files.isDirectory(directory(of: id)) { throw .container("container \(id) is incomplete (create did not finish)") }
                throw .notExist(id)
            }
            throw .system(error)
        }
        do { return try JSONCoding.read(ContainerRecord.self, from: bytes, file: "state.json") } catch {
            throw .container("state of container \(id) is unreadable: \(error)")
        }
    }

    public func save(_ record: ContainerRecord) throws(RuntimeError) {
        do { try Files.writeAtomically(stateFile(of: record.id), JSONWriter(indent: nil, keyOrder: .sorted).write(record.json)) } catch { throw .system(error) }
    }

    public func remove(_ id: String) throws(RuntimeError) {
        do { try Files.removeTree(directory(of: id)) } catch { throw .system(error) }
    }

    /// Ids of every container directory, sorted.
    public func ids() throws(RuntimeError) -> [String] {
        try checkRoot()
        // An unreadable root (another user's) is an error, not an empty list.
        if Files.exists(root) && !Files.isListable(root) { throw .system(SyscallError("open", root)) }
        return Files.list(root).filter { Files.isDirectory(root + "/" + $0) }
    }

    /// A held flock; released by `release()` (call it in a `defer`), or when the process exits, even by SIGKILL.
    public final class Lock {
        /// The locked directory fd. A cloned child inherits it and with it the lock: it must close it first.
        private(set) var fd: Int32
        init(fd: Int32) { self.fd = fd }
        public func release() { if fd >= 0 { Files.close(fd); fd = -1 } }
        deinit { release() }
    }
}
