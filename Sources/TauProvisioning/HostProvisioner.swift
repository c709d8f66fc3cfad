import TauSandbox

/// The host side effects of `taurun convert` and `taurun uninstall` that TauSandbox asks for (HostProvisioning): the
/// quota image (QuotaImage) and the AppArmor profile in the kernel (LoadedAppArmorProfile). The CLI makes one and
/// hands it to TauConverter and AppUninstaller.
public struct HostProvisioner: HostProvisioning {
    /// Where securityfs is mounted (tests point it at a directory of their own).
    public var securityfs: String

    public init(securityfs: String = "/sys/kernel/security") {
        self.securityfs = securityfs
    }

    public func checkQuotaImage(_ image: String, bytes: Int64, app: AppID, home: String) throws(SandboxError) {
        try QuotaImage.check(image, bytes: bytes, app: app, home: home)
    }

    public func isMountPoint(_ path: String) -> Bool { QuotaImage.isMountPoint(path) }

    public func mountQuotaImage(_ image: String, bytes: Int64, owner: UInt32, on home: String) throws(SandboxError) {
        try QuotaImage.mount(image, bytes: bytes, owner: owner, on: home)
    }

    public func unmount(_ path: String) throws(SandboxError) {
        try HelperCommand.check("umount", [path])
    }

    public func loadAppArmorProfile(_ profile: String) throws(SandboxError) {
        try LoadedAppArmorProfile.load(profile)
    }

    public func unloadAppArmorProfile(named name: String) throws(SandboxError) -> Bool {
        try LoadedAppArmorProfile(name: name, securityfs: securityfs).unload()
    }
}
