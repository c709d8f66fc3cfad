import TaurunAudit
import TaurunOCI

/// What `taurun learn` changes in the security monitor: it records instead of stopping the app.
///
/// Every call the app's permissions do not allow is answered as the app would see it under its manifest, EPERM (what
/// on_violation = "deny" gives), never let through: SECCOMP_USER_NOTIF_FLAG_CONTINUE on such a call would run it,
/// and some of them (unshare(CLONE_NEWUSER), io_uring, userfaultfd, keyctl) widen the kernel surface the sandbox
/// exists to close. Learning grants nothing, not even for the run. The one thing learn lets through is what the
/// bundle allows anyway but the filter was narrowed to see (`filter`): those calls are answered CONTINUE.
enum LearnMode {
    enum Answer: Equatable, Sendable {
        /// The bundle allows it; learn only watched it (SECCOMP_USER_NOTIF_FLAG_CONTINUE).
        case allow
        /// Fails with EPERM, as the app's permissions make it.
        case deny
    }

    /// The monitored filter of a learning run, narrowed so that the monitor also sees the uses of granted permissions
    /// it can tell apart: socket() of any family but AF_UNIX, which a bundle granted `network` allows outright.
    /// Without it learn could not say whether a granted `network` was ever used.
    static func filter(_ monitored: LinuxSeccomp) -> LinuxSeccomp {
        var filter = monitored
        var rules: [LinuxSyscall] = []
        var narrowed = false
        for rule in filter.syscalls ?? [] {
            guard rule.action == .allow, rule.args?.isEmpty ?? true, rule.names.contains("socket") else {
                rules.append(rule)
                continue
            }
            var rest = rule
            rest.names.removeAll { $0 == "socket" }
            if !rest.names.isEmpty { rules.append(rest) }
            narrowed = true
        }
        if narrowed {
            rules.append(LinuxSyscall(
                names: ["socket"], action: .allow,
                args: [LinuxSeccompArg(index: 0, value: addressFamilyUnix, op: .equalTo)]))
            rules.append(LinuxSyscall(
                names: ["socket"], action: .notify,
                args: [LinuxSeccompArg(index: 0, value: addressFamilyUnix, op: .notEqual)]))
        }
        filter.syscalls = rules
        return filter
    }

    static let addressFamilyUnix: UInt64 = 1

    /// A trapped call whose permission is granted was let through by the bundle before `filter` narrowed it: allow.
    /// Anything else fails as it would under the manifest.
    static func answer(syscall: String, args: [UInt64], granted: [String]) -> Answer {
        guard let permission = ViolationExplainer.permission(syscall: syscall, args: args) else { return .deny }
        return granted.contains(permission) ? .allow : .deny
    }

    /// The audit line of one learn record:
    ///  org.tauos.offline learn: socket(AF_INET, SOCK_STREAM) needs permission "network", which is not granted; answered EPERM
    ///  org.tauos.media learn: socket(AF_INET6, SOCK_DGRAM) used permission "network" (granted)
    static func line(app: String, answer: Answer, syscall: String, args: [UInt64]) -> String {
        switch answer {
        case .deny:
            return ViolationExplainer.violationLine(app: app, action: "learn", syscall: syscall, args: args) + "; answered EPERM"
        case .allow:
            let call = ViolationExplainer.describeCall(syscall: syscall, args: args)
            let permission = ViolationExplainer.permission(syscall: syscall, args: args) ?? "?"
            return "\(app) learn: \(call) used permission \"\(permission)\" (granted)"
        }
    }
}
