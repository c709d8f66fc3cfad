import TaurunSupport

/// Who runs convert and the other app verbs: root, who provisions apps for the whole host, or an ordinary user, who
/// converts and runs their own apps without root: an app for oneself must not need the administrator. An ordinary
/// user's apps live in their own data directory, take their host ids from the user's own /etc/subuid and /etc/subgid
/// range, and go without what only root can set up (RootlessSandbox says what, and why).
public struct Caller: Sendable, Equatable {
    public var uid: UInt32
    public var gid: UInt32
    /// The user's name in /etc/passwd: the first field of their /etc/subuid and /etc/subgid lines (which may also
    /// name them by uid). Nil when passwd does not list the uid.
    public var name: String?

    public init(uid: UInt32, gid: UInt32, name: String?) {
        self.uid = uid
        self.gid = gid
        self.name = name
    }

    public var isRoot: Bool { uid == 0 }

    /// This process's effective ids.
    public static func current(passwd: String? = nil) -> Caller {
        let uid = ProcessIdentity.effectiveUID
        return Caller(uid: uid, gid: ProcessIdentity.effectiveGID, name: uid == 0 ? "root" : HostUsers(passwd: passwd).name(of: uid))
    }
}
