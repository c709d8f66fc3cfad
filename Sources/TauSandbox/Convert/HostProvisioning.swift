/// The host side effects convert and uninstall ask for and TauSandbox does not make itself: an ext4 quota image
/// made and loop-mounted on the app's home, an AppArmor profile loaded into the kernel or taken out of it.
/// TauProvisioning's `HostProvisioner` makes them (the CLI hands it to `TauConverter.convert` and `AppUninstaller`),
/// so the translator spawns no mkfs.ext4, mount or apparmor_parser and writes nothing to securityfs.
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
}
