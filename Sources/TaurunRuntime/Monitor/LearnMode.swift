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

    /// The calls that name a path learn reads (SecurityMonitor+Learn): opens (devices, host files) and connect
    /// (sound and display sockets). The bundle allows them; an absent device or path fails inside, unseen by a
    /// filter that decides from integers, so learn routes them to the monitor to read the path and let them run.
    static let pathCalls: Set<String> = ["open", "openat", "openat2", "creat", "connect"]

    /// The monitored filter of a learning run, narrowed so that the monitor also sees the uses of granted permissions
    /// it can tell apart: socket() of any family but AF_UNIX, which a bundle granted `network` allows outright
    /// (without it learn could not say whether a granted `network` was ever used), and the `pathCalls` the bundle
    /// allows. Calls the bundle refuses stay refusals.
    static func filter(_ monitored: LinuxSeccomp) -> LinuxSeccomp {
        var filter = monitored
        var narrowedSocket = false
        var (rules, watched) = MonitorRouting.divert(pathCalls, from: monitored) { rule in
            if rule.names.contains("socket") {
                rule.names.removeAll { $0 == "socket" }
                narrowedSocket = true
            }
        }
        if narrowedSocket {
            rules.append(LinuxSyscall(
                names: ["socket"], action: .allow,
                args: [LinuxSeccompArg(index: 0, value: addressFamilyUnix, op: .equalTo)]))
            rules.append(LinuxSyscall(
                names: ["socket"], action: .notify,
                args: [LinuxSeccompArg(index: 0, value: addressFamilyUnix, op: .notEqual)]))
        }
        if !watched.isEmpty { rules.append(LinuxSyscall(names: watched, action: .notify)) }
        filter.syscalls = rules
        return filter
    }

    /// The `pathCalls` a learning run's filter routes to the monitor because the bundle allows them: the monitor
    /// lets exactly these run (CONTINUE). A path call the bundle refuses reaches the monitor too, as a refusal.
    static func watchedPathCalls(_ monitored: LinuxSeccomp) -> Set<String> {
        MonitorRouting.allowedOutright(pathCalls, in: monitored)
    }

    /// The host paths a Tau bundle grants, from its TAU_DATA (convert joins them with ':').
    static func grantedPaths(environment: [String]) -> [String] {
        guard let entry = environment.last(where: { $0.hasPrefix("TAU_DATA=") }) else { return [] }
        return entry.dropFirst("TAU_DATA=".count).split(separator: ":").map(String.init).filter { $0.hasPrefix("/") }
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
            return useLine(app: app, call: ViolationExplainer.describeCall(syscall: syscall, args: args),
                           permission: ViolationExplainer.permission(syscall: syscall, args: args) ?? "?", granted: true)
        }
    }

    /// The audit line of a learnt use of `permission`, by the call as shown (a path learn read, say):
    ///  org.tauos.media learn: openat("/dev/video0", O_RDWR) used permission "camera" (granted)
    ///  org.tauos.media learn: connect(AF_UNIX, "/run/user/1000/wayland-0") needs permission "display", which is not granted
    static func useLine(app: String, call: String, permission: String, granted: Bool) -> String {
        granted
            ? "\(app) learn: \(call) used permission \"\(permission)\" (granted)"
            : "\(app) learn: \(call) needs permission \"\(permission)\", which is not granted"
    }
}
