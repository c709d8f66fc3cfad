/// Policy checks that run before anything is written (seed 003): unsafe acknowledgement, the executable allowlist,
/// and host paths (absolute, normalised, not forbidden, no symlinks).
public struct PolicyValidator: Sendable {
    /// Never mountable, nor anything beneath them.
    public static let forbiddenTrees = [
        "/etc", "/proc", "/sys", "/dev", "/root", "/boot", "/run", "/var/run", "/var/lib", "/var/log", "/usr", "/bin",
        "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
    ]

    /// Never mountable themselves, nor any ancestor (their subdirectories are): a whole /var or /tmp holds every
    /// service's and user's files.
    public static let forbiddenWholes = ["/var", "/tmp", "/home", "/srv", "/mnt", "/media", "/opt"]

    public var stateDirectory: String
    /// The invoking user's $HOME: never mountable itself (subdirectories are).
    public var userHome: String?
    /// Every real user's home from the host's passwd (not only the invoking process's $HOME, which is root's under
    /// sudo): never mountable themselves (subdirectories are).
    public var userHomes: [String]

    public init(stateDirectory: String, userHome: String?, passwd: String? = nil) {
        self.stateDirectory = stateDirectory
        self.userHome = userHome
        self.userHomes = HostUsers(passwd: passwd).homes
    }

    /// Manifest-level policy.
    public func check(_ manifest: Manifest) throws(SandboxError) {
        if manifest.sandbox == .none && !manifest.sandboxUnsafeAck {
            throw .policyDenied(reason: "\(manifest.id): sandbox = \"none\" disables enforcement and needs sandbox_unsafe_ack = true")
        }
        if let executables = manifest.executables, !executables.contains(manifest.command[0]) {
            throw .policyDenied(
                reason: "\(manifest.id): command \(manifest.command[0]) is not in the executable allowlist (\(executables.joined(separator: ", ")))")
        }
        for path in manifest.permissions.filesystemPaths {
            try checkMountable(path, origin: "permissions.filesystem.paths")
        }
    }

    /// Lexical check of a host path the app would get: absolute, normalised, not /, $HOME, the state directory, an
    /// ancestor of any of them, or inside a forbidden tree; and not colliding with what the sandbox mounts itself.
    public func checkMountable(_ path: String, origin: String) throws(SandboxError) {
        if let problem = PathRules.problem(withAbsolutePath: path) {
            throw .policyDenied(reason: "\(origin): \(quoted(path)) \(problem)")
        }
        if path == "/" { throw .policyDenied(reason: "\(origin): / (the whole host) is never mountable") }
        var protected = [stateDirectory, StateLayout.systemDirectory] + Self.forbiddenWholes + userHomes
        if let userHome, userHome != "/" { protected.append(userHome) }
        for item in protected where PathRules.isSame(item, orUnder: path) {
            throw .policyDenied(reason: "\(origin): \(path) is or contains \(item), which is never mountable")
        }
        if PathRules.isSame(path, orUnder: stateDirectory) || PathRules.isSame(path, orUnder: StateLayout.systemDirectory) {
            throw .policyDenied(reason: "\(origin): \(path) is inside the taurun state directory")
        }
        for tree in Self.forbiddenTrees where PathRules.isSame(path, orUnder: tree) || PathRules.isSame(tree, orUnder: path) {
            throw .policyDenied(reason: "\(origin): \(path) is inside or contains \(tree), which is never mountable")
        }
        for reserved in [BundleGenerator.home, "/tmp", HostProbe.containerRuntimeDirectory]
        where PathRules.isSame(path, orUnder: reserved) && reserved != "/tmp" || PathRules.isSame(reserved, orUnder: path) {
            throw .policyDenied(reason: "\(origin): \(path) collides with \(reserved), which the sandbox mounts itself")
        }
    }

    /// Host check of a path about to be bound: it exists and has no symlink in it (what was checked is what gets
    /// mounted). Returns whether it is a directory.
    public func checkHostPath(_ path: String, origin: String) throws(SandboxError) -> Bool {
        guard FileSystem.kind(path) != nil else {
            throw .policyDenied(reason: "\(origin): \(path) does not exist on this host")
        }
        let resolved = try FileSystem.realPath(path)
        if resolved != path {
            throw .policyDenied(reason: "\(origin): \(path) resolves through a symlink to \(resolved); name the real path")
        }
        switch FileSystem.kind(path) {
        case .directory: return true
        case .regular: return false
        default: throw .policyDenied(reason: "\(origin): \(path) is neither a directory nor a regular file")
        }
    }
}
