import TaurunLinux
import TaurunOCI

/// The process that enters a container, resolved by the parent before clone (names to numbers, defaults filled in),
/// so the child only makes system calls. The container's first process (InitPlan.process) and every process `exec`
/// adds are described by this one type, and become what it says through one code path (ProcessSetup).
struct ProcessPlan {
    struct Rlimit { var resource: Int32; var soft: UInt64; var hard: UInt64; var name: String }

    var args: [String]
    var env: [String]
    var cwd: String
    var uid: UInt32
    var gid: UInt32
    var additionalGids: [UInt32]
    var umask: UInt32?
    /// Exactly these capabilities; a config without `capabilities` gets none at all (every set empty), as with runc
    /// and crun.
    var capabilities: Capabilities.Sets
    var rlimits: [Rlimit]
    var noNewPrivileges: Bool
    var terminal: Bool
    var consoleSize: (rows: UInt16, cols: UInt16)?
    var oomScoreAdj: Int?
    /// Applied only where the AppArmor LSM is enabled; elsewhere skipped (the host cannot enforce it).
    var apparmorProfile: String?
    /// Applied only where SELinux is enabled, likewise.
    var selinuxLabel: String?
    /// The fresh session keyring to join (runc's `_ses.<id>`); nil with --no-new-keyring.
    var sessionKeyring: String?
    var preserveFDs: Int32

    /// `process` as given; `container` is the container's own process, whose capabilities, rlimits,
    /// no_new_privileges, AppArmor profile and SELinux label an exec'd process without its own inherits (runc's
    /// newInitConfig). Pass nil for the container's first process.
    static func build(process: Process, inheriting container: Process? = nil, keyring: String?,
                      preserveFDs: Int32) throws(RuntimeError) -> ProcessPlan {
        guard let args = process.args, !args.isEmpty, !args[0].isEmpty else {
            throw .unsupported(field: "process.args", value: "[]", reason: "args must name the program to run, got")
        }
        guard process.cwd.hasPrefix("/") else {
            throw .unsupported(field: "process.cwd", value: process.cwd, reason: "cwd must be an absolute path:")
        }
        // 4294967295 is (uid_t)-1: setresuid and setresgid read it as "leave unchanged", so the process would keep
        // the runtime's root.
        let invalidID = UInt32.max
        if process.user.uid == invalidID {
            throw .unsupported(field: "process.user.uid", value: String(invalidID), reason: "is (uid_t)-1, not a user id:")
        }
        if process.user.gid == invalidID {
            throw .unsupported(field: "process.user.gid", value: String(invalidID), reason: "is (gid_t)-1, not a group id:")
        }
        if let i = process.user.additionalGids?.firstIndex(of: invalidID) {
            throw .unsupported(field: "process.user.additionalGids[\(i)]", value: String(invalidID), reason: "is (gid_t)-1, not a group id:")
        }
        if let adj = process.oomScoreAdj, adj < -1000 || adj > 1000 {
            throw .unsupported(field: "process.oomScoreAdj", value: "\(adj)", reason: "must be between -1000 and 1000, got")
        }
        let limits = (process.rlimits?.isEmpty == false ? process.rlimits : container?.rlimits) ?? []
        let profile = nonEmpty(process.apparmorProfile) ?? nonEmpty(container?.apparmorProfile)
        let label = nonEmpty(process.selinuxLabel) ?? nonEmpty(container?.selinuxLabel)
        return ProcessPlan(
            args: args, env: process.env ?? [], cwd: process.cwd, uid: process.user.uid, gid: process.user.gid,
            additionalGids: process.user.additionalGids ?? [], umask: process.user.umask,
            capabilities: try resolveCapabilities(process.capabilities ?? container?.capabilities),
            rlimits: limits.map { Rlimit(resource: $0.type.resource, soft: $0.soft, hard: $0.hard, name: $0.type.rawValue) },
            noNewPrivileges: process.noNewPrivileges ?? container?.noNewPrivileges ?? false,
            terminal: process.terminal ?? false,
            consoleSize: process.consoleSize.map { (UInt16(clamping: $0.height), UInt16(clamping: $0.width)) },
            oomScoreAdj: process.oomScoreAdj,
            apparmorProfile: HostLSM.appArmorEnabled ? profile : nil,
            selinuxLabel: HostLSM.seLinuxEnabled ? label : nil,
            sessionKeyring: keyring, preserveFDs: preserveFDs)
    }

    /// The one capability resolver, names to numbers. A well-formed name (`CAP_` and upper-case letters, digits,
    /// `_`) that libcap does not know or the running kernel lacks is skipped, and named in one warning, as runc does:
    /// a config written for a newer (or older) kernel still runs. A malformed name is an error naming its field.
    /// No `capabilities` at all means no capabilities.
    static func resolveCapabilities(_ caps: LinuxCapabilities?) throws(RuntimeError) -> Capabilities.Sets {
        var sets = Capabilities.Sets()
        guard let caps else { return sets }
        var unknown: [String] = []
        func numbers(_ names: [String]?, _ set: String) throws(RuntimeError) -> [UInt32] {
            var out: [UInt32] = []
            for (i, name) in (names ?? []).enumerated() {
                guard LinuxCapabilities.isWellFormedName(name) else {
                    throw .unsupported(field: "process.capabilities.\(set)[\(i)]", value: name,
                                       reason: "not a capability name (CAP_ and upper-case letters, digits, _)")
                }
                guard let n = Capabilities.number(named: name), n <= Capabilities.lastSupported else {
                    if !unknown.contains(name) { unknown.append(name) }
                    continue
                }
                if !out.contains(n) { out.append(n) }
            }
            return out
        }
        sets.bounding = try numbers(caps.bounding, "bounding")
        sets.effective = try numbers(caps.effective, "effective")
        sets.permitted = try numbers(caps.permitted, "permitted")
        sets.inheritable = try numbers(caps.inheritable, "inheritable")
        sets.ambient = try numbers(caps.ambient, "ambient")
        if !unknown.isEmpty {
            Warnings.emit("ignoring unknown or unavailable capabilities: " + unknown.joined(separator: ", "))
        }
        return sets
    }

    private static func nonEmpty(_ s: String?) -> String? { s?.isEmpty == false ? s : nil }
}
