#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The state directory (default /var/lib/taurun):
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
    public static let defaultDirectory = "/var/lib/taurun"

    static func ensureBase(_ stateDirectory: String) throws(SandboxError) {
        if FileSystem.kind(stateDirectory) == nil {
            try FileSystem.makeDirectories(stateDirectory, mode: 0o711)
        }
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
}

/// An exclusive flock on `<state-dir>/lock`, held while state files are read-modified-written.
struct StateLock {
    private let fd: Int32

    init(stateDirectory: String) throws(SandboxError) {
        let path = stateDirectory + "/lock"
        let opened = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard opened >= 0 else { throw .io(call: "open", path: path, errno: errno) }
        while flock(opened, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let code = errno
            close(opened)
            throw .io(call: "flock", path: path, errno: code)
        }
        fd = opened
    }

    func release() {
        close(fd)
    }
}
