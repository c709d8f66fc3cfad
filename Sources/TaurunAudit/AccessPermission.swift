/// Which Tau permission a path says an app needs, when the app opens it or connects to it: how `taurun learn` learns
/// devices, sound and display sockets, and host files, which a sandbox without the permission simply lacks (the open
/// fails with ENOENT, a call the filter allows). The security monitor reads the path from the parked call; this
/// decides from the path alone, plus two facts the monitor finds out (ContainerView).
public enum AccessPermission {
    /// What the monitor can find out about a path the app opened, besides the path itself. The lookups are asked
    /// only when the path's place does not decide already (a device, the sandbox's own /proc or /tmp): every open of
    /// a learning app comes through here.
    public struct ContainerView: Sendable {
        /// The path resolves to something inside the app's container.
        public var exists: @Sendable () -> Bool
        /// The path exists on the host, outside the container.
        public var existsOnHost: @Sendable () -> Bool
        /// The host paths the app was granted (TAU_DATA), mounted at the same place inside.
        public var grantedPaths: [String]

        public init(exists: @escaping @Sendable () -> Bool, existsOnHost: @escaping @Sendable () -> Bool, grantedPaths: [String]) {
            self.exists = exists
            self.existsOnHost = existsOnHost
            self.grantedPaths = grantedPaths
        }

        /// Facts already known.
        public init(exists: Bool, existsOnHost: Bool, grantedPaths: [String]) {
            self.init(exists: { exists }, existsOnHost: { existsOnHost }, grantedPaths: grantedPaths)
        }
    }

    /// The sandbox's own mounts and what every app has: opening them needs no permission.
    static let ownPlaces = ["/proc", "/sys", "/dev", "/tmp", "/home/app", "/run/user/1000"]

    /// open(2) flags that make an open a write: O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND.
    static let writeFlags: UInt64 = 0o1 | 0o2 | 0o100 | 0o1000 | 0o2000

    /// The permission an open of `path` (absolute, normalised, as the app sees it) with `flags` needs, or nil when no
    /// permission is involved (the app's own files, /proc, the default /dev nodes, a socket of its own).
    public static func forOpen(path: String, flags: UInt64, view: ContainerView) -> String? {
        if let device = device(path) { return device }
        let token = flags & writeFlags != 0 ? "filesystem:rw" : "filesystem:ro"
        // Below a granted host path (mounted at the same place, wherever that is, even in /tmp): a use of
        // filesystem if it is there inside.
        let granted = view.grantedPaths.contains { isBelow(path, $0) }
        let own = ownPlaces.contains { isBelow(path, $0) }
        if own && !granted { return nil }
        // Anything else inside is the app's own rootfs.
        if view.exists() { return granted ? token : nil }
        if own { return nil }
        // Absent inside, present on the host: a host file the app would need granted.
        return view.existsOnHost() ? token : nil
    }

    /// The open(2) flags of an open-family call from its registers: open's second argument, openat's third, creat's
    /// implied O_CREAT|O_WRONLY|O_TRUNC. nil for openat2 (its flags are in memory) and other calls.
    public static func openFlags(syscall: String, args: [UInt64]) -> UInt64? {
        switch syscall {
        case "open": return args.count > 1 ? args[1] : nil
        case "openat": return args.count > 2 ? args[2] : nil
        case "creat": return 0o1101
        default: return nil
        }
    }

    /// The permission a connect(2) to the UNIX socket `path` needs: the sound server (PulseAudio, PipeWire) is
    /// audio, the Wayland or X11 display socket is display. An abstract address is written with a leading "@".
    public static func forConnect(path: String) -> String? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if path.hasSuffix("/pulse/native") || name.hasPrefix("pipewire-") { return "audio" }
        if name.hasPrefix("wayland-") { return "display" }
        if path.hasPrefix("/tmp/.X11-unix/X") || path.hasPrefix("@/tmp/.X11-unix/X") { return "display" }
        return nil
    }

    /// The device classes the Tau permissions bind (docs/permissions.md): /dev/video* camera, ALSA capture PCMs
    /// microphone, playback PCMs and the sequencer audio, /dev/dri the GPU. ALSA's control and timer nodes come
    /// with both microphone and audio, so they alone say nothing.
    static func device(_ path: String) -> String? {
        if path.hasPrefix("/dev/video") { return "camera" }
        if path.hasPrefix("/dev/dri/") { return "gpu" }
        if path.hasPrefix("/dev/snd/pcmC") { return path.hasSuffix("c") ? "microphone" : "audio" }
        if path == "/dev/snd/seq" { return "audio" }
        return nil
    }

    /// `path` is `base` or below it.
    public static func isBelow(_ path: String, _ base: String) -> Bool {
        path == base || path.hasPrefix(base.hasSuffix("/") ? base : base + "/")
    }

    /// An app's path made absolute and normalised: `relative` joined to the directory it is relative to (the
    /// caller's cwd or the dirfd's path), `.` and `..` resolved lexically (the evidence shows what the app asked
    /// for, not where links lead). nil for an empty path.
    public static func absolute(_ relative: String, from directory: String) -> String? {
        guard !relative.isEmpty else { return nil }
        let joined = relative.hasPrefix("/") ? relative : directory + "/" + relative
        var parts: [Substring] = []
        for part in joined.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }
}
