/// What a Tau app's sandbox goes without when an ordinary user converts it, because only root can set it up, and
/// what is refused instead: an ordinary user may run their own apps without root, and is told what that costs.
/// Everything else is the same sandbox: a user namespace (over the user's own subordinate ids), the seccomp filter
/// and taurun's security monitor, the other namespaces, the read-only rootfs, the private home.
///
/// - `resources.disk`: the quota is an ext4 image that root loop-mounts on the home; the home is a plain directory.
/// - The AppArmor profile: loading one into the kernel needs CAP_MAC_ADMIN in the host's namespace. A manifest that
///   says `require_lsm = true` is refused instead.
/// - `resources.memory`, `cpu`, `pids`: kept only where a cgroup of the user's own can hold them (the runtime refuses
///   a limit it cannot apply rootless; on cgroup v1 none can).
/// - A granted device that only a host group opens: a user namespace of the user's cannot map a host group
///   (newgidmap maps only the user's subordinate gids), so the app could not open it.
/// - A device asked for at runtime (on_violation = "ask") that "other" may open: what keeps the app's own open of
///   an asked device out is the device cgroup, which an ordinary user's container does not get (RootlessCgroups
///   drops device rules), so only a node whose mode shuts "other" out (a 0660 root:video camera: the app's ids are
///   not in the group) may be bound; the monitor, running as the user, opens it on an allow.
/// - `sandbox = "none"` is refused: without a user namespace, the app's own namespaces and its host uid need root.
///
/// Convert prints each omission as one line and audits it (`rootless-skipped`); `taurun explain` lists them.
public enum RootlessSandbox {
    public struct Omission: Equatable, Sendable {
        /// What goes, e.g. `resources.disk (64M)`, `its AppArmor profile taurun-org.tauos.notes`.
        public var subject: String
        public var reason: String

        public func line(app: AppID) -> String { "\(app) runs without \(subject): \(reason)" }
    }

    /// Refuses, before anything is asked or written, a manifest that requires what a user cannot give, and a host
    /// without the helpers that map the app's ids.
    static func requireSupported(_ manifest: Manifest) throws(SandboxError) {
        let helpers = ["newuidmap", "newgidmap"].filter { tool in
            !["/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/"].contains { FileSystem.kind($0 + tool) == .regular }
        }
        if !helpers.isEmpty && manifest.sandbox == .taurun {
            throw .sandboxUnavailable(
                what: "an app of an ordinary user maps \(IDAllocator.userRangeSize) of the user's subordinate ids into its user namespace, "
                    + "which needs \(helpers.joined(separator: " and ")) (Debian package uidmap)")
        }
        if manifest.sandbox == .none {
            throw .sandboxUnavailable(
                what: "\(manifest.id) has sandbox = \"none\", which needs root: without a user namespace its namespaces and its own host uid need root; convert it as root")
        }
        if manifest.requireLSM {
            throw .sandboxUnavailable(
                what: "\(manifest.id) sets require_lsm = true, and loading its AppArmor profile \(AppArmorProfile.name(for: manifest.id)) needs root; convert it as root")
        }
    }

    /// Takes out of `inputs` what an ordinary user cannot set up, and says what and why. `inputs.manifest.resources`
    /// already holds the defaults.
    static func reduce(_ inputs: inout BundleInputs) -> [Omission] {
        var omissions: [Omission] = []
        var resources = inputs.manifest.resources
        if let disk = resources.diskBytes {
            omissions.append(Omission(
                subject: "resources.disk (\(SizeParser.render(disk)))",
                reason: "a disk quota is an ext4 image that root loop-mounts on the home; the home is a plain directory without one"))
            resources.diskBytes = nil
        }
        let held = inputs.host.userCgroupControllers ?? []
        var limits: [String] = []
        if let memory = resources.memoryBytes, !held.contains("memory") {
            limits.append("resources.memory (\(SizeParser.render(memory)))")
            resources.memoryBytes = nil
        }
        if let cpu = resources.cpuMillicores, !held.contains("cpu") {
            limits.append("resources.cpu (\(String(Double(cpu) / 1000)) cores)")
            resources.cpuMillicores = nil
        }
        if let pids = resources.pids, !held.contains("pids") {
            limits.append("resources.pids (\(pids))")
            resources.pids = nil
        }
        if !limits.isEmpty {
            omissions.append(Omission(
                subject: limits.joined(separator: ", "),
                reason: "no cgroup of yours can hold them: the runtime makes the app's cgroup below your own, which you may not write "
                    + "there (cgroup v1 is never delegated to users; on cgroup v2, convert and run from a delegated systemd --user scope)"))
        }
        inputs.manifest.resources = resources
        omissions.append(Omission(
            subject: "its AppArmor profile \(AppArmorProfile.name(for: inputs.manifest.id))",
            reason: "loading a profile into the kernel needs root"
                + (inputs.host.appArmorEnabled ? "" : " (and this kernel has no AppArmor to enforce it)")
                + "; the profile is still written to the bundle"))
        inputs.loadsAppArmorProfile = false
        for device in BundleGenerator.devices(inputs) where device.needsGroup {
            omissions.append(Omission(
                subject: device.hostPath,
                reason: "only its group (gid \(device.gid)) may open it, and a user namespace of yours cannot map a host group "
                    + "(newgidmap maps only your subordinate gids)"))
            inputs.host.devices.removeAll { $0 == device }
        }
        for asked in BundleGenerator.askedDevices(inputs) where asked.device.mode & 0o006 != 0 {
            omissions.append(Omission(
                subject: asked.device.hostPath,
                reason: "\(asked.permission.rawValue) is asked for at runtime by binding the node with the device cgroup refusing the app's own "
                    + "open, and a container of yours gets no device cgroup; this node's mode lets any user open it, so it is left out"))
            inputs.host.devices.removeAll { $0 == asked.device }
        }
        return omissions
    }
}
