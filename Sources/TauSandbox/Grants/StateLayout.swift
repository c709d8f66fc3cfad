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

    public static func appDirectory(_ stateDirectory: String, _ app: AppID) -> String {
        stateDirectory + "/apps/" + app.rawValue
    }

    public static func homeDirectory(_ stateDirectory: String, _ app: AppID) -> String {
        appDirectory(stateDirectory, app) + "/home"
    }

    public static func homeImage(_ stateDirectory: String, _ app: AppID) -> String {
        appDirectory(stateDirectory, app) + "/home.img"
    }

    /// The resolv.conf bound into every app with a network route (`RouteHelper.resolvConf`), shared like skeletons.
    public static func resolvConf(_ stateDirectory: String) -> String {
        stateDirectory + "/network/resolv.conf"
    }
}
