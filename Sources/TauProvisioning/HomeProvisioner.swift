import TauSandbox
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The app's private home on the host, `<state>/apps/<id>/home` with `tmp/` inside (TMPDIR): the state directory's
/// part (`apps/<id>/`, 0711) is made here, the home itself by `host` (TauProvisioning's HomeMaker says how: owned by
/// the app's host uid, an ext4 image for `resources.disk`, or an ordinary user's directory with ACL entries).
struct HomeProvisioner {
    let stateDirectory: String
    let app: AppID
    let hostUID: UInt32
    let diskBytes: Int64?
    var caller: Caller = .current()
    /// Makes the home itself (TauProvisioning).
    let host: any HostProvisioning

    var appDirectory: String { StateLayout.appDirectory(stateDirectory, app) }
    var home: String { StateLayout.homeDirectory(stateDirectory, app) }
    var request: AppHome {
        AppHome(app: app, path: home, image: StateLayout.homeImage(stateDirectory, app), hostUID: hostUID, diskBytes: diskBytes, caller: caller)
    }

    /// Checks that can fail without side effects (run before anything is written).
    func preflight() throws(SandboxError) {
        if !caller.isRoot && !ACLTools.hasSetfacl {
            throw .sandboxUnavailable(what: "an app's home of an ordinary user needs setfacl (Debian package acl): the app's host uid gets into your directory through an ACL entry")
        }
        try host.checkHome(request)
    }

    func provision() throws(SandboxError) {
        try StateDirectory.ensureBase(stateDirectory)
        try FileSystem.makeDirectories(stateDirectory + "/apps", mode: 0o711)
        if FileSystem.kind(appDirectory) == nil { try FileSystem.makeDirectory(appDirectory, mode: 0o711) }
        try host.provisionHome(request)
    }
}
