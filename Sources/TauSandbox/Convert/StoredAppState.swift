/// What the state directory holds that an app's convert plan depends on: the administrator's resource policy
/// (limits.json), the app's recorded consent decisions (grants/<app>.json) and its host id base (ids.json: the range
/// it has, or the one `IDAllocator.allocate` would give it). `TauConverter.makePlan` reads none of it itself: its
/// caller reads it here and passes it in, so the plan is the manifest, the user's decisions, the host's facts and
/// this, and nothing else stored.
///
/// Each part is what was read or why it could not be: the plan reports a failure where it uses that part, so a
/// convert fails in the order it checks things (the manifest's own problems before a broken state file, and no free
/// id range only once every earlier check and question has passed), whenever the state was read.
public struct StoredAppState: Sendable {
    public var resourcePolicy: Result<ResourcePolicy, SandboxError>
    public var grants: Result<GrantRecord, SandboxError>
    public var hostIDBase: Result<UInt32, SandboxError>

    public init(
        resourcePolicy: Result<ResourcePolicy, SandboxError>, grants: Result<GrantRecord, SandboxError>,
        hostIDBase: Result<UInt32, SandboxError>
    ) {
        self.resourcePolicy = resourcePolicy
        self.grants = grants
        self.hostIDBase = hostIDBase
    }

    /// Reads `app`'s stored state from `stateDirectory` (nothing there yet: the built-in policy, no decisions, the
    /// next free range). `caller` decides where id ranges come from (IDAllocator).
    public static func load(stateDirectory: String, app: AppID, caller: Caller) -> StoredAppState {
        StoredAppState(
            resourcePolicy: Result { () throws(SandboxError) in try ResourcePolicy.load(stateDirectory: stateDirectory) },
            grants: Result { () throws(SandboxError) in try GrantStore(stateDirectory: stateDirectory).record(for: app) },
            hostIDBase: Result { () throws(SandboxError) in try IDAllocator(stateDirectory: stateDirectory, caller: caller).peek(app) })
    }
}
