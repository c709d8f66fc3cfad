import TaurunOCI

/// What taurun persists about a container in `<root>/<id>/state.json`. It is written before each thing it
/// describes is created (cgroup paths before mkdir, the creator before clone, the pid right after clone), so
/// `delete --force` can always find and remove everything, whatever instant a taurun process was killed at.
public struct ContainerRecord: Sendable {
    public enum Phase: String, Sendable {
        case creating   // create is in progress (or died half-way: then the container counts as stopped)
        case created    // create finished; running/stopped/paused is derived from the process and the cgroup
    }

    public var id: String
    public var bundle: String
    public var rootfs: String
    public var created: String
    public var owner: String
    public var phase: Phase
    /// The `taurun create`/`run` process and its start time while phase == creating.
    public var creatorPid: Int32
    public var creatorStartTime: UInt64?
    /// The container's first process (its pid in the runtime's pid namespace) and its start time.
    public var pid: Int32?
    public var pidStartTime: UInt64?
    /// Every cgroup directory this container uses, recorded before any is created.
    public var cgroupDirs: [String]
    /// The transient systemd scope holding those dirs (--systemd-cgroup), so delete stops the unit through systemd.
    public var cgroupSystemdUnit: String? = nil
    public var annotations: [String: String]?
    /// The Tau security monitor (pid, start time), recorded right after its fork: delete kills it if it outlived
    /// the container.
    public var monitorPid: Int32? = nil
    public var monitorStartTime: UInt64? = nil
    /// linux.resources.memory.limit, so an OOM kill can be audited as "exceeded memory quota 64M".
    public var memoryLimit: Int64? = nil
    /// Hooks to run at start (poststart) and delete (poststop); kept because the bundle may be gone by then.
    public var hooks: Hooks?
    /// The bundle's config.json ociVersion, which `state` reports (as runc does), not taurun's own spec version.
    public var ociVersion: String
    /// Created with --no-new-keyring: exec'd processes keep the caller's session keyring too (runc's rule).
    public var noNewKeyring: Bool? = nil
    /// The audit log create wrote to. Later commands on this container write there too: their environment may
    /// differ (rootless Podman runs start and delete without HOME, which chose the user's log).
    public var auditLog: String? = nil
    /// Created by `taurun learn`: its monitors (the app's and those of exec'd processes) record each call the app's
    /// permissions do not allow instead of applying on_violation, into `StateStore.learnFile(of:)`.
    public var learning: Bool? = nil
}
