import TauSandbox

/// The host side effects of `taurun convert`, `uninstall` and the grant commands that TauSandbox asks for
/// (HostProvisioning): the quota image (QuotaImage), the AppArmor profile in the kernel (LoadedAppArmorProfile), ACL
/// entries (ACLTree, setfacl by fd) and an app's files removed with its ids (AppIDNamespace). The CLI makes one and
/// hands it to TauSandbox.
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

    public func grantACL(tree root: String, uid: UInt32, writable: Bool, mountUID: UInt32?) throws(SandboxError) -> Bool {
        try ACLTree.grant(root, uid: uid, writable: writable, mountUID: mountUID)
    }

    public func withdrawACL(tree root: String, uid: UInt32, mountUID: UInt32?) throws(SandboxError) {
        try ACLTree.withdraw(root, uid: uid, mountUID: mountUID)
    }

    public func modifyACL(_ spec: String, on fd: Int32, path: String) throws(SandboxError) {
        try ACLTree.modify(spec, on: fd, path: path)
    }

    public func addACLEntry(uid: UInt32, permissions: String, on path: String) throws(SandboxError) {
        try HelperCommand.check("setfacl", ["-m", "u:\(uid):\(permissions)", path])
    }

    public func removeACLEntry(uid: UInt32, from path: String) throws(SandboxError) {
        // setfacl refuses dropping the mask while other named entries remain: then only ours goes.
        if (try? HelperCommand.check("setfacl", ["-x", "u:\(uid),m::", path])) != nil { return }
        try HelperCommand.check("setfacl", ["-x", "u:\(uid)", path])
    }

    public func removeTree(_ path: String, asAppIDs base: UInt32, size: UInt32) throws(SandboxError) {
        try AppIDNamespace.removeTree(path, base: base, size: size)
    }
}
