import TaurunSupport

/// `taurun explain`: what each permission turns into for this manifest on this host, given the recorded grants.
public struct Explanation: Equatable, Sendable, Encodable {
    public struct Row: Equatable, Sendable, Encodable {
        public var permission: String
        /// "always", "granted", "denied", "undecided", "not requested".
        public var state: String
        public var namespaces: String
        public var mounts: String
        public var devices: String
        public var seccomp: String
        public var apparmor: String
    }

    public var app: String
    public var sandbox: String
    public var onViolation: String
    public var rows: [Row]
    /// Explained for an ordinary user (nil for root): what the app's sandbox goes without when they convert it, one
    /// `without WHAT: WHY` line each, or the one `refused: WHY` line (RootlessSandbox).
    public var rootless: [String]?

    /// One key style for every `--json` output of taurun's sandbox verbs: snake_case.
    enum CodingKeys: String, CodingKey {
        case app, sandbox, rows, rootless
        case onViolation = "on_violation"
    }

    public static func make(manifest: Manifest, record: GrantRecord, host: HostFacts, rootless: [String]? = nil) -> Explanation {
        var rows: [Row] = []
        let violation: String
        switch manifest.onViolation {
        case .terminate: violation = "other syscalls kill the app"
        case .deny: violation = "other syscalls fail with EPERM"
        case .ask: violation = "other syscalls fail with EPERM, except that taurun asks the user for an undecided network at first use"
        }
        if manifest.sandbox == .none {
            // sandbox = "none" (acknowledged as unsafe): say what the bundle lacks, not what a sandboxed one has.
            rows.append(Row(
                permission: "(always)", state: "UNSANDBOXED",
                namespaces: "pid, ipc, uts, mount only: NO user namespace (runs as its host uid), the host's network",
                mounts: "rootfs read-only; /home/app private 0700; /proc, /dev, /tmp tmpfs",
                devices: "null zero full random urandom tty pts only",
                seccomp: "NONE: no seccomp filter, no violation is detected or audited",
                apparmor: "NONE: no AppArmor profile"))
        } else {
            rows.append(Row(
                permission: "(always)", state: "always",
                namespaces: "user (uid/gid 1000 → per-app host range" + (rootless == nil ? "" : " of your subordinate ids") + "), pid, ipc, uts, mount, cgroup, network (its own: lo only, unless a route is granted)",
                mounts: "rootfs read-only; /home/app private 0700 (HOME, TMPDIR=/home/app/tmp); /proc, /dev, /tmp tmpfs",
                devices: "null zero full random urandom tty pts only",
                seccomp: "default-deny allowlist; \(violation); no unshare/setns/mount/ptrace/bpf/keyctl",
                apparmor: "profile \(AppArmorProfile.name(for: manifest.id)): no mount, ptrace, capabilities"
                    + (rootless != nil ? " (without root: profile written, not loaded)"
                        : host.appArmorEnabled ? "" : " (LSM off here: profile written, not enforced)")))
        }
        let namesPaths = !manifest.permissions.filesystemPaths.isEmpty
        let requested = Set(manifest.permissions.requested)
        for permission in Permission.allCases {
            let state: String
            // The order convert decides in (ConsentResolver): a recorded decision first, whatever the default.
            if !requested.contains(permission) {
                state = "not requested"
            } else if let decision = record.decision(for: permission) {
                state = decision ? "granted" : "denied"
            } else if !permission.needsConsent(manifestNamesPaths: namesPaths) {
                state = "granted (no consent needed)"
            } else if manifest.onViolation == .ask && permission.askableAtRuntime {
                // ConsentResolver leaves it undecided: the security monitor asks when the app first uses it.
                state = "undecided (asked at runtime)"
            } else {
                state = "undecided (asked at convert)"
            }
            rows.append(row(for: permission, state: state, manifest: manifest, host: host))
        }
        return Explanation(
            app: manifest.id.rawValue, sandbox: manifest.sandbox.rawValue, onViolation: manifest.onViolation.rawValue, rows: rows,
            rootless: rootless)
    }

    private static func row(for permission: Permission, state: String, manifest: Manifest, host: HostFacts) -> Row {
        func present(_ roles: [HostDevice.Role]) -> String {
            let paths = host.devices.filter { roles.contains($0.role) }.map(\.containerPath)
            return paths.isEmpty ? "none present on this host" : paths.joined(separator: " ")
        }
        let paths = manifest.permissions.filesystemPaths.isEmpty ? "the --data DIR" : manifest.permissions.filesystemPaths.joined(separator: " ")
        switch permission {
        case .network:
            return Row(
                permission: permission.rawValue, state: state,
                namespaces: "its own netns either way; granted: a route out through slirp4netns (createRuntime hook `taurun network-hook`; "
                    + "no host loopback, no host or other app's abstract sockets)" + (host.routeHelper == nil ? " NOT POSSIBLE HERE: needs " + host.routeProblem : ""),
                mounts: "granted: /etc/resolv.conf → nameserver 10.0.2.3 (slirp4netns's DNS forwarder)", devices: "-",
                seccomp: "otherwise socket(family != AF_UNIX) is a violation (on_violation)", apparmor: "granted: network; otherwise network unix only")
        case .camera:
            return Row(
                permission: permission.rawValue, state: state, namespaces: "-", mounts: "bind of each device",
                devices: present([.camera]) + " (cgroup allow c major:minor rw; under on_violation = \"ask\" and undecided: bound, not allowed, opened by the monitor when the user allows)",
                seccomp: "-", apparmor: "/dev/video* rw")
        case .microphone:
            return Row(
                permission: permission.rawValue, state: state, namespaces: "-",
                mounts: "PulseAudio/PipeWire socket at /run/user/1000 if present", devices: present([.soundControl, .soundCapture]),
                seccomp: "-", apparmor: "capture devices rw")
        case .audio:
            return Row(
                permission: permission.rawValue, state: state, namespaces: "-",
                mounts: "PulseAudio/PipeWire socket at /run/user/1000 if present: any client of it can also RECORD",
                devices: present([.soundControl, .soundPlayback]), seccomp: "-", apparmor: "playback devices rw")
        case .display:
            return Row(
                permission: permission.rawValue, state: state, namespaces: "-",
                mounts: "Wayland socket (/run/user/1000/wayland-0) / X11 socket (/tmp/.X11-unix/X<n>) if present", devices: "-",
                seccomp: "-", apparmor: "socket rw")
        case .gpu:
            return Row(
                permission: permission.rawValue, state: state, namespaces: "-", mounts: "bind of each device",
                devices: present([.gpu]), seccomp: "-", apparmor: "/dev/dri/* rw, /sys/devices/** r")
        case .filesystemReadOnly:
            return Row(
                permission: permission.rawValue, state: state, namespaces: "-", mounts: "\(paths) bound read-only at the same path; ACL r-X for the app's host uid on it and below (shared with other apps granted it)",
                devices: "-", seccomp: "-", apparmor: "r")
        case .filesystemReadWrite:
            return Row(
                permission: permission.rawValue, state: state, namespaces: "-", mounts: "\(paths) bound read-write at the same path; ACL rwX for the app's host uid on it and below (shared with other apps granted it)",
                devices: "-", seccomp: "-", apparmor: "rwlk")
        }
    }

    /// A plain-text table, one block per permission (the columns are too wide for one line each).
    public func renderText() -> String {
        var out = "app \(app)  sandbox=\(sandbox)  on_violation=\(onViolation)\n"
        if let rootless {
            out += "\nrootless (converted without root)\n"
            for line in rootless { out += "  \(line)\n" }
        }
        for row in rows {
            out += "\n\(row.permission) [\(row.state)]\n"
            out += "  namespaces  \(row.namespaces)\n"
            out += "  mounts      \(row.mounts)\n"
            out += "  devices     \(row.devices)\n"
            out += "  seccomp     \(row.seccomp)\n"
            out += "  apparmor    \(row.apparmor)\n"
        }
        return out
    }

    /// Two-space indent, keys sorted, a final newline.
    public func renderJSON() -> String {
        String(decoding: JSONWriter(indent: "  ", keyOrder: .sorted).write(encodeJSONValue(self)) + [0x0A], as: UTF8.self)
    }
}

extension TauConverter {
    /// What each permission of `manifest` becomes, from the app's stored state (`StoredAppState.load`: its recorded
    /// grants, the resource policy) and the host's devices and sockets, which it probes as convert does. Reads no
    /// stored state itself, writes nothing and never prompts.
    public static func explain(
        manifest: Manifest, stored: StoredAppState, deviceRoot: String = "/dev", environment: [String: String], caller: Caller = .current()
    ) throws(SandboxError) -> Explanation {
        let record = try stored.grants.get()
        let host = HostProbe.scan(deviceRoot: deviceRoot, environment: environment)
        var rootless: [String]?
        if !caller.isRoot {
            rootless = try rootlessLines(manifest, record: record, host: host, policy: stored.resourcePolicy)
        }
        return Explanation.make(manifest: manifest, record: record, host: host, rootless: rootless)
    }

    /// What convert by this ordinary user would leave out (its devices as if every requested permission were
    /// granted: explain shows both ways), or why it would refuse.
    static func rootlessLines(_ manifest: Manifest, record: GrantRecord, host: HostFacts,
                              policy: Result<ResourcePolicy, SandboxError>) throws(SandboxError) -> [String] {
        do throws(SandboxError) {
            try RootlessSandbox.requireSupported(manifest)
        } catch {
            return ["refused: " + error.message]
        }
        var limited = manifest
        limited.resources = try policy.get().apply(to: manifest.resources, app: manifest.id)
        var inputs = BundleInputs(
            manifest: limited, permissions: EffectivePermissions(granted: Set(manifest.permissions.requested), denied: []), hostIDBase: 0,
            homeHostPath: "", rootfsHostPath: "", dataMounts: [], host: host, resolvConfHostPath: "")
        return RootlessSandbox.reduce(&inputs).map { "without \($0.subject): \($0.reason)" }
    }
}
