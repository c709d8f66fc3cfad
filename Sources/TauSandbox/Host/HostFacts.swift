/// What convert found on the host: device nodes and sockets that permissions can hand to an app, and whether the
/// kernel mechanisms the sandbox relies on exist. Gathered by `HostProbe`; tests build it by hand.
public struct HostFacts: Equatable, Sendable {
    public var devices: [HostDevice]
    public var sockets: [HostSocket]
    /// AppArmor LSM enabled (/sys/module/apparmor/parameters/enabled == "Y"). runc and crun refuse a config naming an
    /// AppArmor profile when it is not, so `process.apparmorProfile` is only emitted when this is true.
    public var appArmorEnabled: Bool
    public var userNamespaces: Bool
    public var seccompActions: Set<String>
    public var networkNamespaces: Bool
    /// For an ordinary caller: the cgroup controllers that can limit their apps, those whose hierarchy holds a cgroup
    /// of the caller's own that the caller may write (the runtime makes the app's cgroup below it, by runc's rootless
    /// rule). Nil for root, who may use every controller.
    public var userCgroupControllers: Set<String>?
    /// The taurun and slirp4netns a network-granted app's createRuntime hook runs; nil without slirp4netns.
    public var routeHelper: RouteHelper?
    /// What a route would need that this host lacks, when `routeHelper` is nil.
    public var routeProblem = RouteHelper.missing

    public init(
        devices: [HostDevice] = [], sockets: [HostSocket] = [], appArmorEnabled: Bool = false, userNamespaces: Bool = true,
        seccompActions: Set<String> = ["kill_process", "errno", "allow"], networkNamespaces: Bool = true,
        userCgroupControllers: Set<String>? = nil, routeHelper: RouteHelper? = nil
    ) {
        self.devices = devices
        self.sockets = sockets
        self.appArmorEnabled = appArmorEnabled
        self.userNamespaces = userNamespaces
        self.seccompActions = seccompActions
        self.networkNamespaces = networkNamespaces
        self.userCgroupControllers = userCgroupControllers
        self.routeHelper = routeHelper
    }
}

/// A character device an app may be given.
public struct HostDevice: Equatable, Sendable {
    public enum Role: String, Sendable {
        case camera  // /dev/video*
        case gpu  // /dev/dri/*
        case soundControl  // /dev/snd/controlC*, timer: needed for capture and playback
        case soundCapture  // /dev/snd/pcmC*D*c
        case soundPlayback  // /dev/snd/pcmC*D*p, seq
    }

    public var role: Role
    /// Where it is on the host.
    public var hostPath: String
    /// Where it goes in the container (/dev/…).
    public var containerPath: String
    public var major: Int64
    public var minor: Int64
    /// Owning group on the host; mapped into the container when access depends on it.
    public var gid: UInt32
    public var mode: UInt32

    public init(role: Role, hostPath: String, containerPath: String, major: Int64, minor: Int64, gid: UInt32, mode: UInt32) {
        self.role = role
        self.hostPath = hostPath
        self.containerPath = containerPath
        self.major = major
        self.minor = minor
        self.gid = gid
        self.mode = mode
    }

    /// Needs the owning group mapped in: group has rw, others do not, and the group is not root's (mapping host gid
    /// 0 into an app would be a gift).
    var needsGroup: Bool {
        gid != 0 && mode & 0o060 == 0o060 && mode & 0o006 != 0o006
    }
}

/// A session socket (sound server or display) an app may be given.
public struct HostSocket: Equatable, Sendable {
    public enum Role: String, Sendable {
        case pulseAudio, pipeWire, wayland, x11
    }

    public var role: Role
    public var hostPath: String
    public var containerPath: String
    /// Environment the app needs to find it (PULSE_SERVER, WAYLAND_DISPLAY, DISPLAY...).
    public var environment: [String: String]

    public init(role: Role, hostPath: String, containerPath: String, environment: [String: String]) {
        self.role = role
        self.hostPath = hostPath
        self.containerPath = containerPath
        self.environment = environment
    }
}
