#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import TauSandbox
import TaurunLinux

/// Makes an app's private home (`AppHome`), whose parent convert has made, with `tmp/` inside (TMPDIR).
///
/// Converted by root, the home is mode 0700 and owned by the app's host uid (container uid 1000). With
/// `resources.disk`, it is an ext4 filesystem in a sparse image (QuotaImage), loop-mounted on the home directory.
/// While the image is not mounted (after a reboot) the mount-point directory is root-owned 0700: the app gets EACCES
/// instead of silently writing outside its quota — re-run convert to remount.
///
/// Converted by an ordinary user, who cannot give a file to another uid, the home is the user's own 0700 directory
/// (in their data directory), and the app's host uid gets in through ACL entries: `u:<app>:rwx` on it, and as
/// default entries `u:<app>:rwx` and `u:<user>:rwx`, so everything created in it stays the app's and the user's
/// (within the mode it was created with). The group entry and "other" stay `---`; `ls -l` shows the mask, `rwx`,
/// in the group bits. No disk quota (RootlessSandbox).
struct HomeMaker {
    let request: AppHome
    var home: String { request.path }
    var image: String { request.image }
    var hostUID: UInt32 { request.hostUID }
    var caller: Caller { request.caller }

    func make() throws(SandboxError) {
        if !caller.isRoot {
            try provisionUserDirectory()
        } else if let diskBytes = request.diskBytes {
            try provisionImage(bytes: diskBytes)
        } else {
            try provisionDirectory()
        }
    }

    private func provisionDirectory() throws(SandboxError) {
        if FileSystem.kind(home) == nil { try FileSystem.makeDirectory(home, mode: 0o700) }
        guard FileSystem.kind(home) == .directory else { throw .io(call: "mkdir", path: home, errno: ENOTDIR) }
        try ownHome()
    }

    private func provisionImage(bytes: Int64) throws(SandboxError) {
        if FileSystem.kind(home) == nil { try FileSystem.makeDirectory(home, mode: 0o700) }
        if QuotaImage.isMountPoint(home) {
            try ownHome()
            return
        }
        // Unmounted: the directory itself stays root's and closed, so nothing lands outside the image.
        try FileSystem.changeOwner(home, uid: 0, gid: 0)
        try FileSystem.changeMode(home, 0o700)
        try QuotaImage.mount(image, bytes: bytes, owner: hostUID, on: home)
        try ownHome()
    }

    private func ownHome() throws(SandboxError) {
        // Right already on every convert but the first: a chown or chmod is an inode update through the journal
        // (~0.2 ms on a busy ext4), so only what differs is changed. The app's uid owns its home and may chmod it;
        // convert puts it back.
        let info = try FileSystem.status(home)
        if info.st_uid != hostUID || info.st_gid != hostUID { try FileSystem.changeOwner(home, uid: hostUID, gid: hostUID) }
        if info.st_uid != hostUID || info.st_gid != hostUID || info.st_mode & 0o7777 != 0o700 { try FileSystem.changeMode(home, 0o700) }
        try makeTemporary(mode: 0o700, owner: hostUID)
    }

    private func provisionUserDirectory() throws(SandboxError) {
        if FileSystem.kind(home) == nil { try FileSystem.makeDirectory(home, mode: 0o700) }
        let info = try FileSystem.status(home)
        guard info.st_mode & S_IFMT == S_IFDIR, info.st_uid == caller.uid else {
            throw .policyDenied(reason: "\(home) is not a directory of yours (uid \(caller.uid)); remove it and convert again")
        }
        guard let fd = try ACLTree.openWithoutSymlinks(home) else { throw .io(call: "open", path: home, errno: ENOENT) }
        defer { Files.close(fd) }
        // Set on every convert, like root's chown and chmod: one setfacl, and a home whose entries someone removed
        // gets them back.
        try ACLTree.modify("u:\(hostUID):rwx,d:u:\(hostUID):rwx,d:u:\(caller.uid):rwx", on: fd, path: home)
        // 0770 through the default entries: the mask, not the group, gets rwx, so the app's entry is effective.
        try makeTemporary(mode: 0o770, owner: nil)
    }

    /// `tmp/` in the home (TMPDIR), made when missing, then given `mode` (mkdir's is cut by the umask) and `owner`.
    /// The app writes in its home and may have put anything under that name, or swap it between these steps, so
    /// nothing here follows a path: mkdirat below the home's fd, and the new directory opened without following a
    /// symlink and changed through its own fd. If the app swapped it already, whatever it put there stays its own.
    private func makeTemporary(mode: mode_t, owner: UInt32?) throws(SandboxError) {
        let temporary = home + "/tmp"
        guard let homeFD = try ACLTree.openWithoutSymlinks(home) else { throw .io(call: "open", path: home, errno: ENOENT) }
        defer { Files.close(homeFD) }
        do {
            try Files.makeDirectory(at: homeFD, "tmp", mode: mode, display: temporary)
        } catch {
            if error.errno.rawValue == EEXIST { return }
            throw SandboxError(error)
        }
        let fd: Int32
        do {
            fd = try Files.openat(homeFD, "tmp", O_RDONLY | O_DIRECTORY | O_NOFOLLOW, display: temporary)
        } catch {
            if [ELOOP, ENOTDIR, ENOENT].contains(error.errno.rawValue) { return }
            throw .io(call: "open", path: temporary, errno: error.errno.rawValue)
        }
        defer { Files.close(fd) }
        try FileSystem.changeMode(fd: fd, mode, path: temporary)
        if let owner {
            do { try Files.changeOwner(fd: fd, uid: owner, gid: owner, display: temporary) } catch { throw SandboxError(error) }
        }
    }
}
