import TaurunOCI

/// `exec` as runc spells it: either a whole process.json (`--process`, what conmon and the containerd shim pass),
/// or the container's own process with the command line's args and overrides.
public struct ExecOptions: Sendable {
    /// `--process FILE`: the process to run, taken as is (the override flags below are then ignored, as in runc).
    public var processFile: String?
    /// The command and its arguments when there is no `--process`.
    public var args: [String] = []
    public var detach = false
    public var tty = false
    public var consoleSocket: String?
    public var pidFile: String?
    public var preserveFDs: Int32 = 0
    public var cwd: String?
    public var env: [String] = []
    /// `--user UID[:GID]`.
    public var user: String?
    public var additionalGids: [UInt32] = []
    public var capabilities: [String] = []
    public var noNewPrivileges = false
    public var apparmorProfile: String?
    public var processLabel: String?

    public init() {}
}

/// The process an exec runs, worked out exactly as runc's getProcess does.
enum ExecProcess {
    /// `container` is the container's config.json (its process is the base when there is no `--process`).
    static func resolve(_ options: ExecOptions, container: Spec) throws(RuntimeError) -> Process {
        if let file = options.processFile {
            let process: Process
            do {
                process = try Process.load(path: file)
                try process.validate(file: file)
            } catch { throw .spec(error) }
            return process
        }
        guard var process = container.process else {
            throw .container("the container's config.json has no process to base the exec on; use --process")
        }
        guard !options.args.isEmpty, !options.args[0].isEmpty else {
            throw .usage("exec needs a command to run (or --process FILE)")
        }
        process.args = options.args
        if let cwd = options.cwd, !cwd.isEmpty { process.cwd = cwd }
        if let profile = options.apparmorProfile, !profile.isEmpty { process.apparmorProfile = profile }
        if let label = options.processLabel, !label.isEmpty { process.selinuxLabel = label }
        if !options.capabilities.isEmpty {
            var caps = process.capabilities ?? LinuxCapabilities()
            // runc adds an extra capability to every set, ambient included.
            caps.bounding = (caps.bounding ?? []) + options.capabilities
            caps.effective = (caps.effective ?? []) + options.capabilities
            caps.inheritable = (caps.inheritable ?? []) + options.capabilities
            caps.permitted = (caps.permitted ?? []) + options.capabilities
            caps.ambient = (caps.ambient ?? []) + options.capabilities
            process.capabilities = caps
        }
        process.env = (process.env ?? []) + options.env
        process.terminal = options.tty
        process.consoleSize = nil
        if options.noNewPrivileges { process.noNewPrivileges = true }
        if let user = options.user, !user.isEmpty {
            let parts = user.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let uid = UInt32(parts[0]) else {
                throw .usage("--user \(RuntimeError.quote(user)): the uid must be a number (format UID[:GID])")
            }
            process.user.uid = uid
            if parts.count == 2 {
                guard let gid = UInt32(parts[1]) else {
                    throw .usage("--user \(RuntimeError.quote(user)): the gid must be a number (format UID[:GID])")
                }
                process.user.gid = gid
            }
        }
        if !options.additionalGids.isEmpty {
            process.user.additionalGids = (process.user.additionalGids ?? []) + options.additionalGids
        }
        do { try process.validate(file: "exec process") } catch { throw .spec(error) }
        return process
    }
}
