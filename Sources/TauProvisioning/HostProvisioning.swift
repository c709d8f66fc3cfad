import TauSandbox
/// The host side effects that run programs or reach the kernel, for convert (`AppInstaller`), uninstall
/// (`AppUninstaller`) and the grant commands (`DataAccess`, `SocketAccess`): the app's home (an ext4 quota image made
/// and loop-mounted on it, or an ordinary user's directory with ACL entries), an AppArmor profile loaded into the
/// kernel or taken out of it, POSIX ACL entries set and taken back, an app's files removed with its ids.
/// `HostProvisioner` makes them (mkfs.ext4, mount, apparmor_parser, setfacl, getfacl, unshare, securityfs); the
/// protocol is the seam where a test could stand in for the host.
public protocol HostProvisioning {
    /// Checks, without side effects, what `home` needs: with `diskBytes`, an image already there is a regular file of
    /// that size (no resizing), and the host has loop devices and mkfs.ext4.
    func checkHome(_ home: AppHome) throws(SandboxError)
    /// Makes the home (its parent exists): owned by the app's host uid, 0700, with `tmp/`; with `diskBytes` an ext4
    /// image mounted on it; for an ordinary caller, the caller's own 0700 directory with ACL entries for the app.
    func provisionHome(_ home: AppHome) throws(SandboxError)
    /// Whether a filesystem is mounted on `path`.
    func isMountPoint(_ path: String) -> Bool
    /// Unmounts what is mounted on `path`.
    func unmount(_ path: String) throws(SandboxError)
    /// Loads (or replaces) the profile whose text is `profile`.
    func loadAppArmorProfile(_ profile: String) throws(SandboxError)
    /// Unloads the profile `name` if the kernel has it; returns whether it had.
    func unloadAppArmorProfile(named name: String) throws(SandboxError) -> Bool

    /// Gives `uid` read (and, `writable`, write) access to `root` and everything below it, as entries and default
    /// entries, and `mountUID` `r-x` on `root` alone; never follows a symlink. Returns false, changing nothing, when
    /// `root`'s filesystem has no POSIX ACLs.
    func grantACL(tree root: String, uid: UInt32, writable: Bool, mountUID: UInt32?) throws(SandboxError) -> Bool
    /// Takes `uid`'s entries from `root` and everything below it (and `mountUID`'s from `root`); an inode left with
    /// no named entry loses its mask and default ACL too. A missing `root` has nothing to remove.
    func withdrawACL(tree root: String, uid: UInt32, mountUID: UInt32?) throws(SandboxError)
    /// `u:<uid>:<permissions>` on `path` itself (a session socket or a directory above it).
    func addACLEntry(uid: UInt32, permissions: String, on path: String) throws(SandboxError)
    /// Removes `uid`'s entry from `path`, and the mask when no other named entry is left.
    func removeACLEntry(uid: UInt32, from path: String) throws(SandboxError)
    /// rm -rf of `path` as root of a user namespace that maps the caller's ids and the app's range `base`, `size` of
    /// the caller's subordinate ids (an ordinary user's uninstall of what the app closed to the user).
    func removeTree(_ path: String, asAppIDs base: UInt32, size: UInt32) throws(SandboxError)
}

/// An app's private home as convert wants it: HomeProvisioner decides, `HostProvisioning.provisionHome` makes it.
public struct AppHome: Sendable, Equatable {
    public var app: AppID
    public var path: String
    /// Where the ext4 image of a home with `diskBytes` lives.
    public var image: String
    /// The app's host uid (container uid 1000), the home's owner.
    public var hostUID: UInt32
    /// `resources.disk`; nil: a plain directory.
    public var diskBytes: Int64?
    /// Who converts: root, or an ordinary user whose own directory the home is.
    public var caller: Caller

    public init(app: AppID, path: String, image: String, hostUID: UInt32, diskBytes: Int64?, caller: Caller) {
        self.app = app
        self.path = path
        self.image = image
        self.hostUID = hostUID
        self.diskBytes = diskBytes
        self.caller = caller
    }
}
