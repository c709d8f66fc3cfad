import TaurunSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The state directory (default /var/lib/taurun for root; an ordinary user's own `$XDG_DATA_HOME/taurun`):
///
///     ids.json                     app id → first host uid/gid of its 65536-id range (allocated once, never reused)
///     grants/<id>.json             the user's decisions, what the manifest requests, its version
///     apps/<id>/home               the private home (mount point of home.img when a disk quota is set)
///     apps/<id>/home.img           ext4 image backing the home when resources.disk is set
///     apps/<id>/owner              the host user with ACL access to the home (OwnerAccess)
///     apps/<id>/socket-access.json ACL entries on session sockets (SocketAccess)
///     apps/<id>/data-access.json   ACL entries on granted host paths (DataAccess)
///     apps/<id>/bundles.json       the bundles convert wrote for the app and the skeletons they name (AppBundles)
///     skeletons/<sha256>           rootfs skeletons shared by bundles, one per distinct layout (SkeletonStore)
///     lock                         flock'ed while ids.json, grants or skeletons are written
///
/// `taurun uninstall` (AppUninstaller) removes everything of an app listed here.
/// The state directory, apps/ and skeletons/ are 0711: the container's mapped root must traverse them to bind the
/// home and reach its root.path, but nobody can list them.
public enum StateLayout {
    /// Root's: the apps root converts, for the whole host.
    public static let systemDirectory = "/var/lib/taurun"

    /// Where the app verbs keep state unless `--state-dir` says otherwise: root's system directory; for an ordinary
    /// user their own data directory, next to their audit log (`$XDG_DATA_HOME/taurun/audit.jsonl`).
    public static var defaultDirectory: String {
        defaultDirectory(for: .current(), xdgDataHome: environment("XDG_DATA_HOME"), home: environment("HOME"))
    }

    /// `$XDG_DATA_HOME/taurun` (an absolute one only, as the XDG spec says), else `$HOME/.local/share/taurun`, else
    /// the same below the home /etc/passwd gives the user.
    static func defaultDirectory(for caller: Caller, xdgDataHome: String?, home: String?, passwd: String? = nil) -> String {
        guard !caller.isRoot else { return systemDirectory }
        if let xdgDataHome, xdgDataHome.hasPrefix("/") { return LexicalPath.absolute(xdgDataHome + "/taurun", relativeTo: "/") }
        let home = home.flatMap { $0.hasPrefix("/") ? $0 : nil } ?? HostUsers(passwd: passwd).home(of: caller.uid) ?? "/nonexistent"
        return LexicalPath.absolute(home + "/.local/share/taurun", relativeTo: "/")
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name), value.pointee != 0 else { return nil }
        return String(cString: value)
    }

    static func ensureBase(_ stateDirectory: String) throws(SandboxError) {
        if FileSystem.kind(stateDirectory) == nil {
            try FileSystem.makeDirectories(stateDirectory, mode: 0o711)
        }
    }

    /// Gives the state directory, when it is the caller's own, the o+x the runtime needs to reach root.path below
    /// it as the app's unprivileged root. An ordinary user's is their audit log's directory too
    /// (`$XDG_DATA_HOME/taurun`), which the log made 0750 if it came first; o+x lists nothing.
    static func makeTraversable(_ stateDirectory: String, caller: Caller) throws(SandboxError) {
        var info = stat()
        guard lstat(stateDirectory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == caller.uid,
            info.st_mode & 0o001 == 0
        else { return }
        try FileSystem.changeMode(stateDirectory, (info.st_mode & 0o7777) | 0o001)
    }

    static func appDirectory(_ stateDirectory: String, _ app: AppID) -> String {
        stateDirectory + "/apps/" + app.rawValue
    }

    static func homeDirectory(_ stateDirectory: String, _ app: AppID) -> String {
        appDirectory(stateDirectory, app) + "/home"
    }

    static func homeImage(_ stateDirectory: String, _ app: AppID) -> String {
        appDirectory(stateDirectory, app) + "/home.img"
    }

    /// The resolv.conf bound into every app with a network route (`RouteHelper.resolvConf`), shared like skeletons.
    static func resolvConf(_ stateDirectory: String) -> String {
        stateDirectory + "/network/resolv.conf"
    }

    /// Writes `resolvConf` when missing or different: root-owned (or the caller's), 0644 in a 0755 directory, so
    /// the app's unprivileged root can bind it and nobody else can change it.
    static func ensureResolvConf(_ stateDirectory: String) throws(SandboxError) {
        let path = resolvConf(stateDirectory)
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
            close(opened)
            throw error
        }
        fd = opened
    }

    func release() {
        close(fd)
    }
}
