import TauSandbox
import TaurunSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The state directory's own parts that convert makes (its layout: TauSandbox's `StateLayout`): the directory
/// itself, its o+x for the runtime, and the shared resolv.conf. The state directory, apps/ and skeletons/ are 0711:
/// the container's mapped root must traverse them to bind the home and reach its root.path, but nobody can list them.
enum StateDirectory {
    static func ensureBase(_ stateDirectory: String) throws(SandboxError) {
        if FileSystem.kind(stateDirectory) == nil {
            try FileSystem.makeDirectories(stateDirectory, mode: 0o711)
        }
    }

    /// Gives the state directory, when it is the caller's own, the o+x the runtime needs to reach root.path below
    /// it as the app's unprivileged root. An ordinary user's is their audit log's directory too
    /// (`$XDG_DATA_HOME/taurun`), which the log made 0750 if it came first; o+x lists nothing.
    static func makeTraversable(_ stateDirectory: String, caller: Caller) throws(SandboxError) {
        guard let info = try? FileSystem.status(stateDirectory), info.st_mode & S_IFMT == S_IFDIR, info.st_uid == caller.uid,
            info.st_mode & 0o001 == 0
        else { return }
        try FileSystem.changeMode(stateDirectory, (info.st_mode & 0o7777) | 0o001)
    }

    /// Writes `StateLayout.resolvConf` when missing or different: root-owned (or the caller's), 0644 in a 0755
    /// directory, so the app's unprivileged root can bind it and nobody else can change it.
    static func ensureResolvConf(_ stateDirectory: String) throws(SandboxError) {
        let path = StateLayout.resolvConf(stateDirectory)
        let bytes = Array(RouteHelper.resolvConf.utf8)
        if (try? FileSystem.readFile(path, limit: 4096)) == bytes { return }
        let directory = LexicalPath.directoryName(path)
        if FileSystem.kind(directory) == nil {
            try FileSystem.makeDirectory(directory, mode: 0o755)
            try FileSystem.changeMode(directory, 0o755)  // whatever the umask
        }
        try FileSystem.replaceFile(path, bytes: bytes, mode: 0o644, durable: false)
        try FileSystem.changeMode(path, 0o644)
    }
}

/// An exclusive flock on `<state-dir>/lock`, held while state files are read-modified-written.
struct StateLock {
    private let fd: Int32

    init(stateDirectory: String) throws(SandboxError) {
        let path = stateDirectory + "/lock"
        let opened = try FileSystem.open(path, O_RDWR | O_CREAT | O_NOFOLLOW, mode: 0o600)
        do {
            try FileSystem.lock(opened, LOCK_EX, path: path)
        } catch {
            FileSystem.close(opened)
            throw error
        }
        fd = opened
    }

    func release() {
        FileSystem.close(fd)
    }
}

/// TauProvisioning's file calls: the package's one file layer, failing as SandboxError.
typealias FileSystem = FileIO<SandboxError>
