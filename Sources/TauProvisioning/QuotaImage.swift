#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import TauSandbox
import TaurunLinux
import TaurunSupport

/// An app's home with `resources.disk`: an ext4 filesystem in a sparse image `home.img` (mkfs.ext4 -m 0, so the
/// quota is exactly the image size and writes past it fail with ENOSPC), loop-mounted on the home directory on the
/// host. The mount persists, so config.json only binds a directory and runc/crun need nothing special; data stays in
/// the image across runs. TauSandbox's HomeProvisioner decides when; this makes it so.
enum QuotaImage {
    /// Checks that can fail without side effects (run before anything is written).
    static func check(_ image: String, bytes: Int64, app: AppID, home: String) throws(SandboxError) {
        if let info = try? FileSystem.status(image) {
            guard info.st_mode & S_IFMT == S_IFREG else { throw .policyDenied(reason: "\(image) exists and is not a regular file") }
            if Int64(info.st_size) != bytes {
                throw .policyDenied(
                    reason: "\(app): resources.disk changed from \(SizeParser.render(Int64(info.st_size))) to \(SizeParser.render(bytes)); "
                        + "resizing is not supported — back up \(home), remove \(image) and convert again")
            }
        }
        guard FileSystem.kind("/dev/loop-control") == .characterDevice else {
            throw .sandboxUnavailable(what: "resources.disk needs loop devices (/dev/loop-control is missing)")
        }
        let programs: [String] = ["/sbin/mkfs.ext4", "/usr/sbin/mkfs.ext4"]
        guard programs.contains(where: { program in FileSystem.kind(program) != nil }) else {
            throw .sandboxUnavailable(what: "resources.disk needs mkfs.ext4 (e2fsprogs)")
        }
    }

    /// Makes the image when it is missing (its root owned by `owner`), mounts it on `home` and removes the
    /// lost+found mkfs leaves, which the app has no use for and cannot read.
    static func mount(_ image: String, bytes: Int64, owner: UInt32, on home: String) throws(SandboxError) {
        if FileSystem.kind(image) == nil {
            let fd = try FileSystem.open(image, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o600)
            do {
                defer { Files.close(fd) }
                try Files.setSize(fd: fd, bytes, display: image)
            } catch {
                throw SandboxError(error)
            }
            do {
                try HelperCommand.check(
                    "mkfs.ext4", ["-q", "-F", "-m", "0", "-L", "tau-home", "-E", "root_owner=\(owner):\(owner)", image])
            } catch {
                try? FileSystem.unlinkIfPresent(image)
                throw error
            }
        }
        try HelperCommand.check("mount", ["-o", "loop,nosuid,nodev", image, home])
        try? Files.removeDirectory(home + "/lost+found")
    }

    /// Whether `path` is a mount point, from /proc/self/mountinfo (mount points with their octal escapes decoded).
    static func isMountPoint(_ path: String, mountinfo: String = "/proc/self/mountinfo") -> Bool {
        guard let bytes = try? Files.read(mountinfo) else { return false }
        return MountInfo(bytes: bytes).contains { $0.mountPoint == path }
    }
}
