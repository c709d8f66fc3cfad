import TauSandbox

/// The host side effects of `taurun convert`, `uninstall` and the grant commands that run programs or reach the
/// kernel (HostProvisioning): the app's home (HomeMaker) and its quota image (QuotaImage), the AppArmor profile in the
/// kernel (LoadedAppArmorProfile), ACL entries (ACLTree, setfacl by fd) and an app's files removed with its ids
/// (AppIDNamespace).
public struct HostProvisioner: HostProvisioning {
    /// Where securityfs is mounted (tests point it at a directory of their own).
    public var securityfs: String

    public init(securityfs: String = "/sys/kernel/security") {
        self.securityfs = securityfs
    }

    public func checkHome(_ home: AppHome) throws(SandboxError) {
        guard let bytes = home.diskBytes else { return }
        try QuotaImage.check(home.image, bytes: bytes, app: home.app, home: home.path)
    }

    public func provisionHome(_ home: AppHome) throws(SandboxError) {
        try HomeMaker(request: home).make()
    }

    public func isMountPoint(_ path: String) -> Bool { QuotaImage.isMountPoint(path) }

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
