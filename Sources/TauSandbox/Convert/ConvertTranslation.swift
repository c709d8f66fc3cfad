import TaurunSupport

/// What a convert writes, decided without touching the host: the bundle's files (config.json, tau/), the rootfs
/// skeleton its `root.path` names, and what the app's host ids and sockets are. TauProvisioning's `AppInstaller`
/// writes it; same plan → same bytes.
public struct ConvertTranslation: Sendable {
    public var generated: GeneratedBundle
    /// The bundle's files, by path relative to the bundle, config.json last (`BundleFiles`).
    public var bundleFiles: [BundleFile]
    /// The skeleton's name below `<state>/skeletons/` and its path (config.json's root.path).
    public var skeletonName: String
    public var skeletonPath: String
    /// The app's host uid (container uid 1000).
    public var hostUID: UInt32
    /// The host's session sockets the grants hand to the app (ACL entries for `hostUID`).
    public var grantedSockets: [HostSocket]
    /// A network route binds the shared resolv.conf (`StateLayout.resolvConf`), which must exist.
    public var needsResolvConf: Bool
}

extension TauConverter {
    /// The translation of `plan` (with its id base, `plan.inputs.hostIDBase`): pure, so a unit test checks every
    /// byte convert would write without a state directory.
    public static func translate(_ plan: ConvertPlan, stateDirectory: String) throws(SandboxError) -> ConvertTranslation {
        let skeletonPath = RootfsSkeleton.path(for: plan.layout, stateDirectory: stateDirectory)
        let generated = try BundleGenerator.generate(plan.inputs, layout: plan.layout, rootPath: skeletonPath)
        return ConvertTranslation(
            generated: generated, bundleFiles: BundleFiles.files(generated, app: plan.manifest.id),
            skeletonName: RootfsSkeleton.name(for: plan.layout), skeletonPath: skeletonPath,
            hostUID: plan.inputs.hostIDBase + IDAllocator.appID, grantedSockets: BundleGenerator.sockets(plan.inputs),
            needsResolvConf: BundleGenerator.route(plan.inputs).hasRoute)
    }
}
