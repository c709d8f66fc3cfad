/// The annotation keys of a bundle `taurun convert` writes: the contract between TauSandbox, which writes them, and
/// the runtime, which reads them to start an app's security monitor and to enforce `require_lsm`. runc and crun
/// ignore them. Documented in docs/permissions.md ("Annotations").
public enum TauAnnotation {
    public static let id = "org.tauos.app.id"
    public static let version = "org.tauos.app.version"
    public static let permissions = "org.tauos.app.permissions"
    public static let denied = "org.tauos.app.permissions.denied"
    public static let onViolation = "org.tauos.app.on_violation"
    public static let sandbox = "org.tauos.app.sandbox"
    public static let appArmorProfile = "org.tauos.app.apparmor_profile"
    public static let hostIDBase = "org.tauos.app.host_id_base"
    public static let requireLSM = "org.tauos.app.require_lsm"
    /// The state directory whose grant store holds the app's decisions (on_violation = "ask" only): the monitor reads
    /// a runtime decision there and records "always" answers (docs/prompts.md).
    public static let stateDirectory = "org.tauos.app.state_dir"
    /// `open` or `gated` when the bundle starts the app's user-mode network (TauSandbox's NetworkRoute); absent for
    /// an app with no route out.
    public static let networkRoute = "org.tauos.app.network_route"
    /// The device nodes the bundle binds in for a permission the security monitor may ask for at runtime
    /// (on_violation = "ask"), left out of the device cgroup: `PERMISSION:PATH:MAJOR:MINOR`, comma-separated
    /// (`camera:/dev/video0:81:0`). An allowed open is answered with the monitor's own fd of the node (docs/prompts.md).
    public static let askedDevices = "org.tauos.app.devices.asked"
}
