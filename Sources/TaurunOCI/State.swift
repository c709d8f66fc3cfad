// The state of a container (runtime.md "State"), plus the fields runc's `state` command prints.

public enum ContainerStatus: String, SpecEnum {
    case creating
    case created
    case running
    case stopped
    case paused

    public static var vocabulary: String { "container status" }
}

/// state.json, and what `taurun state` prints.
public struct State: Sendable, Equatable {
    // Declared in the order runc prints them.
    public var ociVersion: String
    public var id: String
    /// Present while the container process exists (created, running, paused).
    public var pid: Int32?
    public var status: ContainerStatus
    /// Absolute path of the bundle.
    public var bundle: String
    /// Absolute path of the root filesystem (runc extension).
    public var rootfs: String?
    /// Creation time, RFC 3339 with nanoseconds (runc extension).
    public var created: String?
    public var annotations: [String: String]?
    /// User name of the owner, "" for root (runc extension).
    public var owner: String?

    public init(
        ociVersion: String, id: String, status: ContainerStatus, pid: Int32? = nil, bundle: String,
        annotations: [String: String]? = nil, rootfs: String? = nil, created: String? = nil, owner: String? = nil
    ) {
        self.ociVersion = ociVersion
        self.id = id
        self.status = status
        self.pid = pid
        self.bundle = bundle
        self.annotations = annotations
        self.rootfs = rootfs
        self.created = created
        self.owner = owner
    }
}
