/// The user's recorded decisions for one app: what they granted and what they refused. A permission in neither set
/// is undecided (convert asks on a terminal, or fails with E_POLICY_DENIED without one).
public struct GrantRecord: Equatable, Sendable {
    public var app: AppID
    public private(set) var granted: Set<Permission>
    public private(set) var denied: Set<Permission>
    /// What the app's manifest requested at its last convert (nil: never converted by a taurun that recorded it):
    /// `grant` refuses anything else.
    public var requested: Set<Permission>?
    /// The manifest's `version` at its last convert (nil: never converted by a taurun that recorded it), shown by
    /// `taurun apps`: an upgrade is a convert of a manifest with another version, and asks only for what is new.
    public var version: String?

    public init(
        app: AppID, granted: Set<Permission> = [], denied: Set<Permission> = [], requested: Set<Permission>? = nil,
        version: String? = nil
    ) {
        self.app = app
        self.granted = granted
        self.denied = denied.subtracting(granted)
        self.requested = requested
        self.version = version
    }

    /// rw includes ro: granting filesystem:rw also answers a filesystem:ro request.
    public mutating func grant(_ permission: Permission) {
        granted.insert(permission)
        denied.remove(permission)
        if permission == .filesystemReadWrite {
            granted.insert(.filesystemReadOnly)
            denied.remove(.filesystemReadOnly)
        }
    }

    /// Refusing ro also refuses rw (writing implies reading).
    public mutating func deny(_ permission: Permission) {
        denied.insert(permission)
        granted.remove(permission)
        if permission == .filesystemReadOnly {
            denied.insert(.filesystemReadWrite)
            granted.remove(.filesystemReadWrite)
        }
    }

    /// Back to "ask": the next convert prompts (or needs --grant/--yes) again. Forgetting filesystem:ro also forgets
    /// filesystem:rw, which includes it.
    public mutating func forget(_ permission: Permission) {
        granted.remove(permission)
        denied.remove(permission)
        if permission == .filesystemReadOnly {
            granted.remove(.filesystemReadWrite)
            denied.remove(.filesystemReadWrite)
        }
    }

    public func decision(for permission: Permission) -> Bool? {
        if granted.contains(permission) { return true }
        if denied.contains(permission) { return false }
        return nil
    }
}

/// What a bundle enforces after consent: the requested permissions that are in effect, and those that are not.
public struct EffectivePermissions: Equatable, Sendable {
    public var granted: Set<Permission>
    /// Not granted: refused, or (`askedAtRuntime`) left undecided for the runtime prompt.
    public var denied: Set<Permission>
    /// The part of `denied` nobody decided, which the security monitor asks for when the app first uses it
    /// (on_violation = "ask").
    public var askedAtRuntime: Set<Permission>

    public init(granted: Set<Permission>, denied: Set<Permission>, askedAtRuntime: Set<Permission> = []) {
        self.granted = granted
        self.denied = denied
        self.askedAtRuntime = askedAtRuntime
    }

    public func has(_ permission: Permission) -> Bool { granted.contains(permission) }

    public var filesystem: FilesystemAccess {
        if granted.contains(.filesystemReadWrite) { return .readWrite }
        if granted.contains(.filesystemReadOnly) { return .readOnly }
        return .none
    }

    /// Comma-separated, vocabulary order (the `org.tauos.app.permissions` annotation).
    static func list(_ permissions: Set<Permission>) -> String {
        // allCases is vocabulary order (what `<` compares): no sort, whose generic setup showed in convert's profile.
        Permission.allCases.filter { permissions.contains($0) }.map(\.rawValue).joined(separator: ",")
    }
}
