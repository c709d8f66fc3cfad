import TaurunLinux
import TaurunOCI

/// Everything a process added by `exec` needs, resolved by the parent before fork (names to numbers, the
/// container's defaults filled in), so the child only makes system calls.
struct ExecPlan {
    var args: [String]
    var env: [String]
    var cwd: String
    var uid: UInt32
    var gid: UInt32
    var additionalGids: [UInt32]
    var umask: UInt32?
    var capabilities: Capabilities.Sets?
    var rlimits: [InitPlan.Rlimit]
    var noNewPrivileges: Bool
    var terminal: Bool
    var consoleSize: (rows: UInt16, cols: UInt16)?
    var oomScoreAdj: Int?
    /// Applied only where the AppArmor LSM is enabled, as create does.
    var apparmorProfile: String?
    var preserveFDs: Int32

    /// What the exec'd process does not say is the container's, as in runc's newInitConfig: capabilities,
    /// rlimits, no_new_privileges and the AppArmor profile fall back to the container's process.
    static func build(process: Process, container: Process?, options: ExecOptions) throws(RuntimeError) -> ExecPlan {
        guard let args = process.args, !args.isEmpty, !args[0].isEmpty else {
            throw .unsupported(field: "process.args", value: "[]", reason: "args must name the program to run, got")
        }
        guard process.cwd.hasPrefix("/") else {
            throw .unsupported(field: "process.cwd", value: process.cwd, reason: "cwd must be an absolute path:")
        }
        let terminal = process.terminal ?? false
        if terminal && options.detach && options.consoleSocket == nil {
            throw .usage("cannot allocate tty if taurun will detach without setting console socket")
        }
        if !terminal && options.consoleSocket != nil {
            throw .usage("cannot use console socket if taurun will not detach or allocate tty")
        }
        if let adj = process.oomScoreAdj, adj < -1000 || adj > 1000 {
            throw .unsupported(field: "process.oomScoreAdj", value: "\(adj)", reason: "must be between -1000 and 1000, got")
        }
        let capabilities = try resolve(process.capabilities ?? container?.capabilities)
        let limits = (process.rlimits?.isEmpty == false ? process.rlimits : container?.rlimits) ?? []
        let profile = process.apparmorProfile?.isEmpty == false ? process.apparmorProfile : container?.apparmorProfile
        return ExecPlan(
            args: args, env: process.env ?? [], cwd: process.cwd, uid: process.user.uid, gid: process.user.gid,
            additionalGids: process.user.additionalGids ?? [], umask: process.user.umask, capabilities: capabilities,
            rlimits: limits.map { InitPlan.Rlimit(resource: $0.type.resource, soft: $0.soft, hard: $0.hard, name: $0.type.rawValue) },
            noNewPrivileges: process.noNewPrivileges ?? container?.noNewPrivileges ?? false,
            terminal: terminal,
            consoleSize: process.consoleSize.map { (UInt16(clamping: $0.height), UInt16(clamping: $0.width)) },
            oomScoreAdj: process.oomScoreAdj,
            apparmorProfile: (profile?.isEmpty == false && HostLSM.appArmorEnabled) ? profile : nil,
            preserveFDs: options.preserveFDs)
    }

    /// Capability names to numbers; a capability the running kernel lacks is skipped, as create (and runc) do.
    static func resolve(_ caps: LinuxCapabilities?) throws(RuntimeError) -> Capabilities.Sets? {
        guard let caps else { return nil }
        func numbers(_ names: [String]?, _ set: String) throws(RuntimeError) -> [UInt32] {
            var out: [UInt32] = []
            for (i, name) in (names ?? []).enumerated() {
                guard name.uppercased().hasPrefix("CAP_"), let n = Capabilities.number(named: name) else {
                    throw .unsupported(field: "process.capabilities.\(set)[\(i)]", value: name, reason: "unknown capability")
                }
                if n <= Capabilities.lastSupported && !out.contains(n) { out.append(n) }
            }
            return out
        }
        var sets = Capabilities.Sets()
        sets.bounding = try numbers(caps.bounding, "bounding")
        sets.effective = try numbers(caps.effective, "effective")
        sets.permitted = try numbers(caps.permitted, "permitted")
        sets.inheritable = try numbers(caps.inheritable, "inheritable")
        sets.ambient = try numbers(caps.ambient, "ambient")
        return sets
    }
}
