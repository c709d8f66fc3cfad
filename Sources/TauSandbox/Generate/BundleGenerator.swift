import TaurunOCI

/// Everything the generator needs, already validated and resolved to host paths.
public struct BundleInputs: Sendable {
    public var manifest: Manifest
    public var permissions: EffectivePermissions
    /// First host uid/gid of the app's range (container id 0 maps here).
    public var hostIDBase: UInt32
    public var homeHostPath: String
    /// Real path of the app's rootfs on the host.
    public var rootfsHostPath: String
    public var dataMounts: [DataMount]
    public var host: HostFacts
    /// How many ids the app's range has (root's 65536, an ordinary user's 1024: IDAllocator).
    public var hostIDCount: UInt32 = IDAllocator.hostRangeSize
    /// Whether convert loads the app's AppArmor profile into the kernel (only root may): `process.apparmorProfile`
    /// names it only then, since runc and crun refuse to start a process under a profile the kernel does not have.
    public var loadsAppArmorProfile = true
    /// The state directory convert used (its grant store): named in the bundle for on_violation = "ask" only.
    public var stateDirectory: String? = nil
    /// How the app's own network namespace reaches out: `.open` when `network` is granted; `.gated` (the route
    /// exists, the security monitor decides each socket) when it is requested, not granted, and on_violation =
    /// "ask" lets the monitor ask for it at runtime (docs/prompts.md); else `.none`.
    public var networkRoute: NetworkRoute
    /// Host path of the resolv.conf bound at /etc/resolv.conf when there is a route (`StateLayout.resolvConf`).
    public var resolvConfHostPath: String

    public init(
        manifest: Manifest, permissions: EffectivePermissions, hostIDBase: UInt32, homeHostPath: String,
        rootfsHostPath: String, dataMounts: [DataMount], host: HostFacts, resolvConfHostPath: String
    ) {
        self.manifest = manifest
        self.permissions = permissions
        self.hostIDBase = hostIDBase
        self.homeHostPath = homeHostPath
        self.rootfsHostPath = rootfsHostPath
        self.dataMounts = dataMounts
        self.host = host
        if permissions.has(.network) {
            self.networkRoute = .open
        } else if manifest.onViolation == .ask && Permission.network.askableAtRuntime && manifest.permissions.requested.contains(.network) {
            self.networkRoute = .gated
        } else {
            self.networkRoute = .none
        }
        self.resolvConfHostPath = resolvConfHostPath
    }
}

/// A granted host path, mounted at the same place.
public struct DataMount: Equatable, Sendable {
    public var path: String
    public var writable: Bool
    public var isDirectory: Bool

    public init(path: String, writable: Bool, isDirectory: Bool) {
        self.path = path
        self.writable = writable
        self.isDirectory = isDirectory
    }
}

/// The generated bundle content.
public struct GeneratedBundle: Sendable {
    public var spec: Spec
    public var layout: RootfsLayout
    public var appArmorProfileName: String
    public var appArmorProfile: String
    public var seccomp: LinuxSeccomp?
}

/// Manifest + decisions → config.json, AppArmor profile, seccomp filter, rootfs skeleton. Pure apart from listing
/// the rootfs (for the skeleton); same inputs → byte-identical config.json.
public enum BundleGenerator {
    /// Deliberately older than taurun's own (Spec.supportedVersion): the bundle uses nothing newer, and crun 1.8
    /// refuses any version it does not know ("unknown version specified"), so runc and crun run it unchanged.
    public static let ociVersion = "1.0.2"
    public static let home = "/home/app"
    public static let homeTemporary = "/home/app/tmp"
    public static let path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// runc's default masked and read-only /proc and /sys paths.
    static let maskedPaths = [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
    ]
    static let readonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]

    /// Devices a permission hands over, present on this host.
    static func devices(_ inputs: BundleInputs) -> [HostDevice] {
        let p = inputs.permissions
        return inputs.host.devices.filter { device in
            switch device.role {
            case .camera: return p.has(.camera)
            case .gpu: return p.has(.gpu)
            case .soundControl: return p.has(.microphone) || p.has(.audio)
            case .soundCapture: return p.has(.microphone)
            case .soundPlayback: return p.has(.audio)
            }
        }.sorted { $0.containerPath < $1.containerPath }
    }

    /// Devices of a permission the security monitor may ask for while the app runs: on_violation = "ask", requested
    /// and not granted (undecided, or refused: a later `taurun grant` then works without a new convert), with the
    /// permission each open of it is asked for. They are bound in, so that an allowed open can be answered, but
    /// left out of the device cgroup and of the group mapping: the app's own open of one fails (EPERM), and only
    /// the monitor's open, made on the host after the user allowed it, reaches the device (docs/prompts.md).
    static func askedDevices(_ inputs: BundleInputs) -> [(device: HostDevice, permission: Permission)] {
        let manifest = inputs.manifest
        guard manifest.sandbox == .taurun, manifest.onViolation == .ask else { return [] }
        let p = inputs.permissions
        func asked(_ permission: Permission) -> Bool {
            permission.askableAtRuntime && manifest.permissions.requested.contains(permission) && !p.has(permission)
        }
        return inputs.host.devices.compactMap { device -> (device: HostDevice, permission: Permission)? in
            switch device.role {
            case .camera: return asked(.camera) ? (device, .camera) : nil
            case .soundCapture: return asked(.microphone) ? (device, .microphone) : nil
            // Capture needs the card's control node, granted already when audio is.
            case .soundControl: return asked(.microphone) && !p.has(.audio) ? (device, .microphone) : nil
            case .gpu, .soundPlayback: return nil
            }
        }.sorted { $0.device.containerPath < $1.device.containerPath }
    }

    public static func sockets(_ inputs: BundleInputs) -> [HostSocket] {
        let p = inputs.permissions
        return inputs.host.sockets.filter { socket in
            switch socket.role {
            case .pulseAudio, .pipeWire: return p.has(.microphone) || p.has(.audio)
            case .wayland, .x11: return p.has(.display)
            }
        }.sorted { $0.containerPath < $1.containerPath }
    }

    public static let resolvConf = "/etc/resolv.conf"

    /// The route of a sandboxed app's own network namespace; an unsandboxed app has the host's network instead.
    static func route(_ inputs: BundleInputs) -> NetworkRoute {
        inputs.manifest.sandbox == .taurun ? inputs.networkRoute : .none
    }

    /// The hook that makes the app's route, nil for an app without one; refused on a host without slirp4netns.
    static func routeHelper(_ inputs: BundleInputs) throws(SandboxError) -> RouteHelper? {
        guard route(inputs).hasRoute else { return nil }
        guard let helper = inputs.host.routeHelper else {
            throw .sandboxUnavailable(what: "network: an app's route out of its own network namespace needs " + inputs.host.routeProblem)
        }
        return helper
    }

    /// The mount points the skeleton must contain (besides the runtime-managed /dev, /proc, /sys, /tmp).
    public static func mountPoints(_ inputs: BundleInputs) -> [MountPoint] {
        var points = [MountPoint(path: home, isDirectory: true)]
        if route(inputs).hasRoute { points.append(MountPoint(path: resolvConf, isDirectory: false)) }
        points += inputs.dataMounts.map { MountPoint(path: $0.path, isDirectory: $0.isDirectory) }
        points += sockets(inputs).map { MountPoint(path: $0.containerPath, isDirectory: false) }
        return points
    }

    /// `rootPath` is the absolute host path of the layout's skeleton (`RootfsSkeleton.path(for:stateDirectory:)`), config.json's
    /// `root.path`.
    public static func generate(_ inputs: BundleInputs, layout: RootfsLayout, rootPath: String) throws(SandboxError) -> GeneratedBundle {
        let decided = Decided(inputs)
        let manifest = inputs.manifest
        let helper = try routeHelper(inputs)
        let seccomp = decided.sandboxed ? SeccompProfile.make(networkGranted: decided.network, onViolation: manifest.onViolation) : nil
        let spec = Spec(
            ociVersion: ociVersion, process: decided.process(), root: Root(path: rootPath, readonly: true),
            hostname: manifest.id.rawValue, mounts: decided.mounts(layout, routed: helper != nil),
            hooks: helper.map { Hooks(createRuntime: [$0.hook]) }, annotations: decided.annotations(),
            linux: decided.linux(seccomp: seccomp))
        return GeneratedBundle(
            spec: spec, layout: layout, appArmorProfileName: decided.profileName, appArmorProfile: try decided.appArmorProfile(layout),
            seccomp: seccomp)
    }

    /// What the inputs come to, shared by every part of the bundle: each part is one method.
    private struct Decided {
        let inputs: BundleInputs
        let manifest: Manifest
        let sandboxed: Bool
        let route: NetworkRoute
        /// The app may make sockets of every family: the host's network (no sandbox) or an open route.
        let network: Bool
        let grantedDevices: [HostDevice]
        let askedDevices: [(device: HostDevice, permission: Permission)]
        let grantedSockets: [HostSocket]
        /// The host groups owning granted devices: each is mapped into the container (ids above the app's range) and
        /// added to the process, so a 0660 root:video node is usable without making it world-accessible.
        let deviceGroups: [UInt32]
        /// Their ids inside the container, in the same order.
        let deviceGroupsInside: [UInt32]
        let profileName: String

        init(_ inputs: BundleInputs) {
            self.inputs = inputs
            manifest = inputs.manifest
            sandboxed = manifest.sandbox == .taurun
            route = BundleGenerator.route(inputs)
            network = !sandboxed || route.socketsAllowed
            grantedDevices = devices(inputs)
            askedDevices = sandboxed ? BundleGenerator.askedDevices(inputs) : []
            grantedSockets = sockets(inputs)
            deviceGroups = Array(Set(grantedDevices.filter(\.needsGroup).map(\.gid))).sorted()
            deviceGroupsInside = deviceGroups.indices.map { IDAllocator.hostRangeSize + UInt32($0) }
            profileName = AppArmorProfile.name(for: manifest.id)
        }

        func process() -> Process {
            let user: User
            if sandboxed {
                user = User(uid: IDAllocator.appID, gid: IDAllocator.appID, additionalGids: deviceGroupsInside.isEmpty ? nil : deviceGroupsInside)
            } else {
                // sandbox = "none": no user namespace; the app runs directly as its (unprivileged, per-app) host uid.
                let appHostID = inputs.hostIDBase + IDAllocator.appID
                user = User(uid: appHostID, gid: appHostID, additionalGids: deviceGroups.isEmpty ? nil : deviceGroups)
            }
            return Process(
                terminal: false, user: user, args: manifest.command, env: environment(), cwd: home,
                capabilities: LinuxCapabilities(bounding: [], effective: [], inheritable: [], permitted: [], ambient: []),
                rlimits: [POSIXRlimit(type: .nofile, hard: 1024, soft: 1024)], noNewPrivileges: true,
                apparmorProfile: sandboxed && inputs.host.appArmorEnabled && inputs.loadsAppArmorProfile ? profileName : nil)
        }

        /// Sandbox variables, socket variables, then the manifest's (which may not override HOME/TMPDIR), as sorted
        /// NAME=value lines.
        func environment() -> [String] {
            var environment: [String: String] = ["PATH": path, "HOME": home, "TMPDIR": homeTemporary]
            if !grantedSockets.isEmpty { environment["XDG_RUNTIME_DIR"] = HostProbe.containerRuntimeDirectory }
            for socket in grantedSockets { environment.merge(socket.environment) { _, new in new } }
            // Where the granted host paths are (they keep their host path; the app cannot guess a --data DIR).
            if !inputs.dataMounts.isEmpty { environment["TAU_DATA"] = inputs.dataMounts.map(\.path).joined(separator: ":") }
            environment.merge(manifest.env) { _, new in new }
            return environment.keys.sorted().map { "\($0)=\(environment[$0] ?? "")" }
        }

        /// The rootfs binds, the runtime's filesystems, what the app was given, and resolv.conf when it has a route.
        func mounts(_ layout: RootfsLayout, routed: Bool) -> [Mount] {
            var mounts = layout.binds + runtimeMounts() + grantedMounts()
            if routed {
                mounts.append(Mount(destination: resolvConf, type: "bind", source: inputs.resolvConfHostPath, options: ["bind", "ro", "nosuid", "nodev", "noexec"]))
            }
            return mounts
        }

        /// /proc, /dev and its kernel filesystems, /sys, /tmp.
        func runtimeMounts() -> [Mount] {
            var mounts = [Mount(destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"])]
            mounts.append(Mount(destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]))
            mounts.append(Mount(
                destination: "/dev/pts", type: "devpts", source: "devpts",
                options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]))
            mounts.append(Mount(destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]))
            mounts.append(Mount(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]))
            if !sandboxed {
                // The host's network namespace is not owned by the app's user namespace, so sysfs cannot be mounted
                // fresh; bind the host's read-only instead (what rootless runc does).
                // `rro`: the host's /sys has submounts (cgroup, debugfs, ...): read-only at every level, not just the top.
                mounts.append(Mount(destination: "/sys", type: "none", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro", "rro"]))
            } else {
                mounts.append(Mount(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]))
            }
            mounts.append(Mount(destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=1777", "size=65536k"]))
            return mounts
        }

        /// The app's home, its granted host paths, devices (granted and asked) and session sockets.
        func grantedMounts() -> [Mount] {
            var mounts = [Mount(destination: home, type: "bind", source: inputs.homeHostPath, options: ["rbind", "rw", "nosuid", "nodev"])]
            for data in inputs.dataMounts {
                mounts.append(Mount(
                    destination: data.path, type: "bind", source: data.path,
                    // A read-only grant is read-only at every level (`rro`): a mount below the host directory stays
                    // read-only too. "ro" stays for runtimes that predate `rro`.
                    options: [data.isDirectory ? "rbind" : "bind"] + (data.writable ? ["rw"] : ["ro", "rro"]) + ["nosuid", "nodev"]))
            }
            for device in grantedDevices + askedDevices.map(\.device) {
                mounts.append(Mount(destination: device.containerPath, type: "bind", source: device.hostPath, options: ["bind", "nosuid", "noexec"]))
            }
            for socket in grantedSockets {
                mounts.append(Mount(destination: socket.containerPath, type: "bind", source: socket.hostPath, options: ["bind", "nosuid", "nodev", "noexec"]))
            }
            return mounts
        }

        func linux(seccomp: LinuxSeccomp?) -> Linux {
            let appRange = LinuxIDMapping(containerID: 0, hostID: inputs.hostIDBase, size: inputs.hostIDCount)
            let groupMappings = zip(deviceGroupsInside, deviceGroups).map { LinuxIDMapping(containerID: $0, hostID: $1, size: 1) }
            return Linux(
                uidMappings: sandboxed ? [appRange] : nil, gidMappings: sandboxed ? [appRange] + groupMappings : nil,
                resources: resources(), namespaces: namespaces(), seccomp: seccomp, maskedPaths: maskedPaths, readonlyPaths: readonlyPaths)
        }

        func namespaces() -> [LinuxNamespace] {
            var namespaces: [LinuxNamespace] = [
                LinuxNamespace(type: .pid), LinuxNamespace(type: .ipc), LinuxNamespace(type: .uts), LinuxNamespace(type: .mount),
            ]
            if sandboxed {
                namespaces.append(LinuxNamespace(type: .cgroup))
                namespaces.append(LinuxNamespace(type: .user))
                // Always its own: abstract UNIX sockets and loopback ports live in the network namespace.
                namespaces.append(LinuxNamespace(type: .network))
            }
            return namespaces
        }

        /// The granted devices only (an asked one is opened by the monitor, on the host), and the manifest's limits.
        func resources() -> LinuxResources {
            var deviceRules = [LinuxDeviceCgroup(allow: false, access: "rwm")]
            for device in grantedDevices {
                deviceRules.append(LinuxDeviceCgroup(allow: true, type: "c", major: device.major, minor: device.minor, access: "rw"))
            }
            let limits = manifest.resources
            return LinuxResources(
                devices: deviceRules,
                memory: limits.memoryBytes.map { LinuxMemory(limit: $0) },
                cpu: limits.cpuMillicores.map { LinuxCPU(quota: $0 * 100, period: 100_000) },
                pids: limits.pids.map { LinuxPids(limit: $0) })
        }

        func annotations() -> [String: String] {
            var annotations: [String: String] = [
                TauAnnotation.id: manifest.id.rawValue,
                TauAnnotation.version: manifest.version,
                TauAnnotation.permissions: EffectivePermissions.list(inputs.permissions.granted),
                TauAnnotation.denied: EffectivePermissions.list(inputs.permissions.denied),
                TauAnnotation.onViolation: manifest.onViolation.rawValue,
                TauAnnotation.sandbox: manifest.sandbox.rawValue,
                TauAnnotation.appArmorProfile: profileName,
                TauAnnotation.hostIDBase: String(inputs.hostIDBase),
            ]
            // Only when asked for, so bundles of apps that do not care stay byte-identical.
            if manifest.requireLSM { annotations[TauAnnotation.requireLSM] = "true" }
            if manifest.onViolation == .ask, let state = inputs.stateDirectory { annotations[TauAnnotation.stateDirectory] = state }
            if route.hasRoute { annotations[TauAnnotation.networkRoute] = route.rawValue }
            if !askedDevices.isEmpty {
                annotations[TauAnnotation.askedDevices] = askedDevices.map {
                    "\($0.permission.rawValue):\($0.device.containerPath):\($0.device.major):\($0.device.minor)"
                }.joined(separator: ",")
            }
            return annotations
        }

        func appArmorProfile(_ layout: RootfsLayout) throws(SandboxError) -> String {
            let rootfsDirectories = layout.binds.filter { $0.options?.first == "rbind" }.map(\.destination)
            let rootfsFiles = layout.binds.filter { $0.options?.first == "bind" }.map(\.destination)
            return try AppArmorProfile.text(AppArmorProfile.Inputs(
                id: manifest.id, rootfsDirectories: rootfsDirectories, rootfsFiles: rootfsFiles,
                executables: manifest.executables, home: home,
                dataPaths: inputs.dataMounts.map { ($0.path, $0.writable, $0.isDirectory) },
                // An asked device's fd, handed over by the monitor, is used under the profile too.
                devices: (grantedDevices + askedDevices.map(\.device)).map(\.containerPath), sockets: grantedSockets.map(\.containerPath),
                network: network || route.hasRoute, gpu: inputs.permissions.has(.gpu)))
        }
    }
}
