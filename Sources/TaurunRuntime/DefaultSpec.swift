import TaurunOCI
import TaurunSeccomp

/// What `taurun spec` writes: runc's default config (same content, so tools that expect it keep working) plus taurun's
/// own default seccomp profile, so a container made from a fresh spec cannot create namespaces, mount, load modules,
/// use bpf, keyrings or ptrace, while ordinary programs run (docs/seccomp.md, "The default profile").
public enum DefaultSpec {
    public static func make(rootless: Bool, hostUID: UInt32?, hostGID: UInt32?) -> Spec {
        var spec = Spec.runcDefault(rootless: rootless, hostUID: hostUID, hostGID: hostGID)
        spec.linux?.seccomp = DefaultSeccompProfile.profile()
        return spec
    }
}
