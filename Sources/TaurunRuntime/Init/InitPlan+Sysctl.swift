import TaurunLinux
import TaurunOCI

extension InitPlan {
    /// Step 4 of build: linux.sysctl, each key written only where the container owns its namespace (runc's rules).
    static func planSysctl(_ linux: Linux, namespaces: NamespaceChoice) throws(RuntimeError) -> [(String, String)] {
        var sysctl: [(String, String)] = []
        // /proc/sys is only partly namespaced: a key is written only where the container owns the namespace it
        // belongs to, and a namespace joined by path that is the host's own (same nsfs inode) is not owned.
        var owned: [NamespaceKind: Bool] = [:]
        func owns(_ kind: NamespaceKind) throws(RuntimeError) -> Bool {
            if let known = owned[kind] { return known }
            var result = (namespaces.newFlags & kind.cloneFlag) != 0
            if !result, let join = namespaces.joins.first(where: { $0.kind == kind }) {
                guard let host = isHostNamespace(join.path, kind: kind) else {
                    throw .unsupported(field: "linux.namespaces", value: join.path, reason: "cannot stat namespace path:")
                }
                result = !host
            }
            owned[kind] = result
            return result
        }
        for key in (linux.sysctl ?? [:]).keys.sorted() {
            guard !key.isEmpty, !key.contains("/"), !key.split(separator: ".").contains("..") else {
                throw .unsupported(field: "linux.sysctl", value: key, reason: "invalid sysctl key")
            }
            let rule = SysctlRule.of(key)
            if let kind = rule.namespace, try owns(kind) {
                sysctl.append((key, linux.sysctl?[key] ?? ""))
                continue
            }
            throw .unsupported(field: "linux.sysctl", value: key, reason: rule.refusal + ":")
        }
        return sysctl
    }

    /// Where the sysctl `key` is, relative to /proc: "net.ipv4.ip_forward" → "sys/net/ipv4/ip_forward".
    static func procPath(ofSysctl key: String) -> String { "sys/" + String(key.map { $0 == "." ? "/" : $0 }) }
}

/// runc's sysctl rules (libcontainer/configs/validate): which namespace a key belongs to, and why it is refused when
/// the container does not own that namespace. Keys outside the ipc, network and uts sets are never namespaced.
struct SysctlRule: Equatable {
    /// The namespace the container must own for the key to be written; nil: no namespace makes it safe.
    var namespace: NamespaceKind?
    var refusal: String

    static let ipcKeys: Set<String> = [
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
        "kernel.shmmni", "kernel.shm_rmid_forced",
    ]

    static func of(_ key: String) -> SysctlRule {
        if ipcKeys.contains(key) || key.hasPrefix("fs.mqueue.") {
            return SysctlRule(namespace: .ipc, refusal: "sysctl not allowed in the host's ipc namespace")
        }
        if key.hasPrefix("net.") {
            return SysctlRule(namespace: .network, refusal: "sysctl not allowed in the host's network namespace")
        }
        if key == "kernel.domainname" {
            return SysctlRule(namespace: .uts, refusal: "sysctl not allowed in the host's uts namespace")
        }
        if key == "kernel.hostname" {
            return SysctlRule(namespace: nil, refusal: "sysctl conflicts with the \"hostname\" field; use it instead of")
        }
        return SysctlRule(namespace: nil, refusal: "sysctl is not in a separate kernel namespace")
    }
}
