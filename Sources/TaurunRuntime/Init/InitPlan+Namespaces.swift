import TaurunLinux
import TaurunOCI

extension InitPlan {
    /// What linux.namespaces asks for: new ones as clone flags, joined ones by path (checked to be of their kind).
    struct NamespaceChoice {
        var newFlags: Int32
        var joins: [(kind: NamespaceKind, path: String)]
        /// A new cgroup namespace, unshared by the child once the parent has put it in its cgroup.
        var unshareCgroup: Bool
        var newUser: Bool
        var joinsUser: Bool { joins.contains { $0.kind == .user } }
        /// The init runs in a user namespace (new or joined): it looks paths up as the container's root.
        var inUserNamespace: Bool { newUser || joinsUser }
    }

    /// Step 1 of build: the namespaces, and the rules tied to them (a mount namespace is required; id mappings need
    /// a user namespace and a new one needs them; a hostname needs a uts namespace).
    static func planNamespaces(_ spec: Spec, _ linux: Linux) throws(RuntimeError) -> NamespaceChoice {
        var choice = NamespaceChoice(newFlags: 0, joins: [], unshareCgroup: false, newUser: false)
        var hasMount = false
        for (i, ns) in (linux.namespaces ?? []).enumerated() {
            guard let kind = NamespaceKind(rawValue: ns.type.rawValue) else {
                throw .unsupported(field: "linux.namespaces[\(i)].type", value: ns.type.rawValue, reason: "unsupported namespace type")
            }
            if kind == .mount { hasMount = true }
            if let path = ns.path, !path.isEmpty {
                try requireNamespace(at: path, of: kind, field: "linux.namespaces[\(i)].path")
                choice.joins.append((kind, path))
            } else if kind == .cgroup {
                choice.unshareCgroup = true
            } else {
                if kind == .user { choice.newUser = true }
                if kind == .time, !Files.exists("/proc/self/ns/time") {
                    throw .unsupported(field: "linux.namespaces[\(i)].type", value: "time", reason: "this kernel has no time namespaces:")
                }
                choice.newFlags |= kind.cloneFlag
            }
        }
        guard hasMount else {
            throw .unsupported(field: "linux.namespaces", value: "mount", reason: "taurun needs a mount namespace to set up the rootfs, missing:")
        }
        try checkNamespaceRules(choice, spec, linux)
        return choice
    }

    /// A namespace to join: an absolute path to an existing namespace file of `kind`.
    private static func requireNamespace(at path: String, of kind: NamespaceKind, field: String) throws(RuntimeError) {
        guard path.hasPrefix("/") else {
            throw .unsupported(field: field, value: path, reason: "namespace path must be absolute:")
        }
        guard Files.exists(path) else {
            throw .unsupported(field: field, value: path, reason: "namespace path does not exist:")
        }
        let actual: NamespaceKind?
        do { actual = try Namespaces.kind(ofFileAt: path) } catch {
            throw .unsupported(field: field, value: path, reason: "cannot open namespace path:")
        }
        guard let actual else {
            throw .unsupported(field: field, value: path, reason: "not a namespace:")
        }
        guard actual == kind else {
            throw .unsupported(field: field, value: path, reason: "is a \(actual.rawValue) namespace, not \(kind.rawValue):")
        }
    }

    /// The rules tied to the chosen namespaces: id mappings with a user namespace, a hostname with a uts one.
    private static func checkNamespaceRules(_ choice: NamespaceChoice, _ spec: Spec, _ linux: Linux) throws(RuntimeError) {
        let (newUser, joinsUser) = (choice.newUser, choice.joinsUser)
        if (linux.uidMappings?.isEmpty == false || linux.gidMappings?.isEmpty == false) && !newUser && !joinsUser {
            throw .unsupported(field: "linux.uidMappings", value: "set", reason: "id mappings need a new user namespace, but none is requested; mappings are")
        }
        if newUser && (linux.uidMappings?.isEmpty ?? true || linux.gidMappings?.isEmpty ?? true) {
            throw .unsupported(field: "linux.uidMappings", value: "empty", reason: "a new user namespace needs uidMappings and gidMappings, got")
        }
        if joinsUser && newUser {
            throw .unsupported(field: "linux.namespaces", value: "user", reason: "user namespace both joined and new:")
        }
        // A joined uts namespace may be given a name too (runc allows it; runtime-tools linux_ns_path checks it).
        let hasUTS = (choice.newFlags & NamespaceKind.uts.cloneFlag) != 0 || choice.joins.contains { $0.kind == .uts }
        if spec.hostname?.isEmpty == false && !hasUTS {
            throw .unsupported(field: "hostname", value: spec.hostname ?? "", reason: "setting a hostname needs a new uts namespace; hostname")
        }
        if spec.domainname?.isEmpty == false && !hasUTS {
            throw .unsupported(field: "domainname", value: spec.domainname ?? "", reason: "setting a domainname needs a new uts namespace; domainname")
        }
    }

    /// Whether the namespace file at `path` is the host's: the same nsfs (device, inode) as init's
    /// (/proc/1/ns/<kind>) or as taurun's own (/proc/self/ns/<kind>; runc's "host" means "current"). nil: `path`
    /// cannot be stat'ed.
    static func isHostNamespace(_ path: String, kind: NamespaceKind) -> Bool? {
        guard let target = try? Files.stat(path: path) else { return nil }
        for reference in ["/proc/1/ns/", "/proc/self/ns/"] {
            if let host = try? Files.stat(path: reference + kind.procName), host.st_dev == target.st_dev,
               host.st_ino == target.st_ino {
                return true
            }
        }
        return false
    }
}
