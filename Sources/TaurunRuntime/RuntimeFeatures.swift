import TaurunCgroups
import TaurunLinux
import TaurunOCI
import TaurunSeccomp

/// The `features` document: what this build and this host support, computed rather than hard-coded where the
/// host decides (cgroup layout, AppArmor, capabilities the kernel knows).
public enum RuntimeFeatures {
    public static func document() -> Features {
        let seccomp = SeccompSupport.features()
        let layout = try? Cgroups.detectLayout()
        var v1 = false, v2 = false
        switch layout {
        case .v1?: v1 = true
        case .hybrid?: v1 = true; v2 = true
        case .unified?: v2 = true
        case nil: break
        }
        let capNames = (0...Capabilities.lastSupported).compactMap { Capabilities.name(of: $0) }
        return Features(
            ociVersionMin: "1.0.0", ociVersionMax: Runtime.ociVersion,
            hooks: ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"],
            mountOptions: (Array(MountOptionNames.all) + ["rro"] + (Mounts.hasMountSetattr ? ["idmap", "ridmap"] : [])).sorted(),
            linux: Features.Linux(
                namespaces: ["cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"],
                capabilities: capNames,
                cgroup: Features.Cgroup(v1: v1, v2: v2, systemd: true, systemdUser: false, rdma: false),
                seccomp: Features.Seccomp(enabled: true, actions: seccomp.actions, operators: seccomp.operators,
                                          archs: seccomp.archs, knownFlags: seccomp.knownFlags, supportedFlags: seccomp.supportedFlags),
                apparmor: Features.Apparmor(enabled: HostLSM.appArmorEnabled),
                selinux: Features.Selinux(enabled: false),
                intelRdt: Features.IntelRdt(enabled: false),
                mountExtensions: Features.MountExtensions(idmap: Features.IDMap(enabled: Mounts.hasMountSetattr))),
            annotations: ["org.opencontainers.runc.version": "taurun"])
    }
}

enum MountOptionNames {
    static var all: Set<String> {
        Set(MountOptions.setting.keys).union(MountOptions.clearing.keys).union(MountOptions.propagationNames.keys)
    }
}
