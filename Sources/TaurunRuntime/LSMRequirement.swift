import TaurunLinux
import TaurunOCI

/// Whether the process's AppArmor profile and SELinux label can be applied on this host. A kernel without the LSM
/// cannot enforce a profile: the profile is skipped (and audited) unless it is required — by --require-lsm or by a
/// Tau manifest's `require_lsm` — in which case the container does not start.
enum LSMRequirement {
    /// nil when everything named can be applied; else what is skipped and why, for the audit record.
    /// `appProfile`: the profile a Tau app's annotations name. convert leaves process.apparmorProfile out on a host
    /// without AppArmor (runc and crun refuse such a config there), so the annotation is what says one was wanted.
    static func check(process: Process?, appProfile: String?, required: Bool) throws(RuntimeError) -> String? {
        var skipped: [String] = []
        let named = process?.apparmorProfile.flatMap { $0.isEmpty ? nil : $0 } ?? appProfile.flatMap { $0.isEmpty ? nil : $0 }
        if let profile = named, !HostLSM.appArmorEnabled {
            if required { throw .sandboxUnavailable("AppArmor is not enabled in this kernel") }
            skipped.append("AppArmor profile \(profile): AppArmor is not enabled in this kernel")
        }
        if let label = process?.selinuxLabel, !label.isEmpty, !HostLSM.seLinuxEnabled {
            if required { throw .sandboxUnavailable("SELinux is not enabled in this kernel") }
            skipped.append("SELinux label \(label): SELinux is not enabled in this kernel")
        }
        return skipped.isEmpty ? nil : skipped.joined(separator: "; ")
    }
}

enum HostLSM {
    static var appArmorEnabled: Bool {
        ((try? Files.readString("/sys/module/apparmor/parameters/enabled")) ?? "").hasPrefix("Y")
    }

    /// selinuxfs is mounted only where the SELinux LSM is active.
    static var seLinuxEnabled: Bool { Files.exists("/sys/fs/selinux/enforce") }
}
