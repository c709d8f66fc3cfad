/// The host side effects convert, uninstall and the grant commands ask for and TauSandbox does not make itself: an
/// ext4 quota image made and loop-mounted on the app's home, an AppArmor profile loaded into the kernel or taken out
/// of it, POSIX ACL entries set and taken back, an app's files removed with its ids. TauProvisioning's
/// `HostProvisioner` makes them (the CLI hands it to `TauConverter.convert`, `AppUninstaller`, `DataAccess` and
/// `SocketAccess`), so the translator spawns no program (mkfs.ext4, mount, apparmor_parser, setfacl, getfacl,
/// unshare) and writes nothing to securityfs.
public protocol HostProvisioning {
    /// Checks, without side effects, that `home` can be an ext4 image of `bytes` at `image`: an image already there
    /// is a regular file of that size (no resizing), the host has loop devices and mkfs.ext4.
    func checkQuotaImage(_ image: String, bytes: Int64, app: AppID, home: String) throws(SandboxError)
    /// Whether a filesystem is mounted on `path`.
    func isMountPoint(_ path: String) -> Bool
    /// Makes the image when it is missing (sparse, ext4 with no reserved blocks, its root owned by `owner`) and
    /// mounts it on `home` (loop, nosuid, nodev).
    func mountQuotaImage(_ image: String, bytes: Int64, owner: UInt32, on home: String) throws(SandboxError)
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
    /// Sets `spec` (setfacl -m syntax) on the inode `fd` names (`path` is for messages).
    func modifyACL(_ spec: String, on fd: Int32, path: String) throws(SandboxError)
    /// `u:<uid>:<permissions>` on `path` itself (a session socket or a directory above it).
    func addACLEntry(uid: UInt32, permissions: String, on path: String) throws(SandboxError)
    /// Removes `uid`'s entry from `path`, and the mask when no other named entry is left.
    func removeACLEntry(uid: UInt32, from path: String) throws(SandboxError)
    /// rm -rf of `path` as root of a user namespace that maps the caller's ids and the app's range `base`, `size` of
    /// the caller's subordinate ids (an ordinary user's uninstall of what the app closed to the user).
    func removeTree(_ path: String, asAppIDs base: UInt32, size: UInt32) throws(SandboxError)
}
