import TaurunOCI
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

/// How a sandboxed app's network namespace reaches beyond itself. Every sandboxed app has a network namespace of its
/// own (its abstract UNIX sockets and loopback ports are its own, and it sees none of the host's or another app's);
/// the route is what `network` adds (docs/permissions.md, "network").
public enum NetworkRoute: String, Sendable, CaseIterable {
    /// Only `lo`: no way out. An app without `network`.
    case none
    /// A user-mode route out (slirp4netns, started by the bundle's createRuntime hook), and the seccomp filter allows
    /// every socket family. An app granted `network`.
    case open
    /// The same route, but the seccomp filter treats `socket()` of any family but AF_UNIX as a violation, as for
    /// `.none`: under taurun the security monitor decides each such call, so allowing it at runtime (a permission
    /// prompt) gives the app a real network. Under runc and crun the route exists and nothing can use it.
    case gated

    /// Whether the bundle starts the user-mode network.
    public var hasRoute: Bool { self != .none }
    /// Whether the seccomp filter lets the app make non-UNIX sockets by itself.
    public var socketsAllowed: Bool { self == .open }
}

/// The createRuntime hook that makes the route: the taurun binary that converted the bundle, run as `taurun
/// network-hook --slirp4netns PATH` (UserModeNetwork in TaurunRuntime). Absolute paths, found by `HostProbe` at
/// convert time: runc, crun and taurun run the hook with their own environment, so nothing is looked up in $PATH.
public struct RouteHelper: Equatable, Sendable {
    /// Where convert looks for slirp4netns, in order.
    public static let slirp4netnsPaths = ["/usr/bin/slirp4netns", "/usr/local/bin/slirp4netns", "/bin/slirp4netns"]
    /// Seconds the runtime gives the hook; it needs ~10 ms, and gives up by itself after 10 s.
    public static let hookTimeout = 30
    /// The app's /etc/resolv.conf: slirp4netns's DNS forwarder, which asks the host's resolvers from the host.
    public static let resolvConf = "nameserver 10.0.2.3\n"

    public var taurun: String
    public var slirp4netns: String

    public init(taurun: String, slirp4netns: String) {
        self.taurun = taurun
        self.slirp4netns = slirp4netns
    }

    public var hook: Hook {
        Hook(path: taurun, args: ["taurun", "network-hook", "--slirp4netns", slirp4netns], timeout: Self.hookTimeout)
    }

    /// Why this host cannot give an app a route (`HostFacts.routeProblem` when `routeHelper` is nil).
    public static let missing = "slirp4netns (Debian package slirp4netns), not found in " + slirp4netnsPaths.joined(separator: ", ")

    /// The route helper of this host: the running taurun and the first slirp4netns found, or why there is none.
    /// slirp4netns, run by the runtime's user, opens /dev/net/tun: an ordinary user needs it read-write (Debian
    /// makes it 0666; some hosts keep it root's).
    static func probe() -> (helper: RouteHelper?, problem: String?) {
        guard let slirp = slirp4netnsPaths.first(where: { FileSystem.resolvedKind($0) == .regular }) else { return (nil, missing) }
        guard let taurun = try? FileSystem.readLink("/proc/self/exe"), taurun.hasPrefix("/"), !taurun.hasSuffix(" (deleted)") else {
            return (nil, "the path of this taurun binary, which the bundle runs as its createRuntime hook (/proc/self/exe does not name it)")
        }
        if let refusal = FileSystem.accessRefusal("/dev/net/tun", R_OK | W_OK) {
            return (nil, "/dev/net/tun readable and writable by you, for slirp4netns's tap device (\(errnoText(refusal)))")
        }
        return (RouteHelper(taurun: taurun, slirp4netns: slirp), nil)
    }
}
