/// The permission vocabulary: the tokens users grant and revoke, and `manifest.tau` lists.
public enum Permission: String, Sendable, CaseIterable, Comparable {
    case network
    case camera
    case microphone
    case audio
    case display
    case gpu
    case filesystemReadOnly = "filesystem:ro"
    case filesystemReadWrite = "filesystem:rw"

    public static func < (lhs: Permission, rhs: Permission) -> Bool {
        lhs.order < rhs.order
    }

    private var order: Int { Permission.allCases.firstIndex(of: self) ?? 0 }

    /// Whether using this permission needs the user's recorded consent. Playback audio, the GPU and read-only
    /// access to the `--data` directory (which the user picked) are granted by declaring them; everything that can
    /// leak data off the machine, observe the user, or modify host files is not. Read-only access to paths that the
    /// *manifest* names is sensitive too (the app author chose them, not the user).
    public func needsConsent(manifestNamesPaths: Bool) -> Bool {
        switch self {
        // audio: the PulseAudio/PipeWire socket it binds lets any client record too (and PipeWire reaches
        // cameras), and no playback-only restriction is enforced, so it is asked for like microphone.
        case .network, .camera, .microphone, .display, .filesystemReadWrite, .audio: return true
        case .filesystemReadOnly: return manifestNamesPaths
        case .gpu: return false
        }
    }

    /// Whether the security monitor can ask for it while the app runs (on_violation = "ask"): `network` is socket()
    /// of a family other than AF_UNIX, decided on integer arguments; `camera` and `microphone` are opens of device
    /// nodes the bundle binds in but leaves out of the device cgroup, which the monitor, on an allow, opens itself
    /// and hands over (docs/prompts.md). Sockets and paths are absent from the app's view when not granted, so
    /// their use is an ENOENT the monitor never sees.
    public var askableAtRuntime: Bool { self == .network || self == .camera || self == .microphone }

    /// Every token, plus the bare names a user might type, for did-you-mean suggestions.
    public static var vocabulary: [String] { allCases.map(\.rawValue) }

    /// One line for prompts and `explain`.
    public var summary: String {
        switch self {
        case .network: return "use the network (host network namespace, IP sockets)"
        case .camera: return "use the camera (/dev/video*)"
        case .microphone: return "record audio (ALSA capture devices, PulseAudio/PipeWire socket)"
        case .audio: return "play audio, and through the PulseAudio/PipeWire socket also record it (ALSA playback devices, sound-server socket)"
        case .display: return "show windows and read input (Wayland/X11 socket)"
        case .gpu: return "use the GPU (/dev/dri)"
        case .filesystemReadOnly: return "read host files"
        case .filesystemReadWrite: return "read and modify host files"
        }
    }

    /// Parses a user-typed token (`taurun grant APP camera`); `filesystem` alone is ambiguous and rejected.
    public static func parse(_ token: String) -> Permission? {
        Permission(rawValue: token)
    }

    /// Words people (and the design notes) use for a permission that the vocabulary spells otherwise.
    static let abbreviations: [String: String] = [
        "net": "network", "internet": "network", "cam": "camera", "mic": "microphone", "sound": "audio",
        "files": "filesystem:ro", "fs": "filesystem:ro", "filesystem": "filesystem:ro", "storage": "filesystem:ro",
        "screen": "display", "graphics": "gpu",
    ]

    /// "Did you mean …?" for a token that is not in the vocabulary: a known abbreviation, else the closest word.
    public static func suggestion(for token: String) -> String? {
        abbreviations[token.lowercased()] ?? DidYouMean.suggestion(for: token, among: vocabulary)
    }
}
