import TauSandbox
import TaurunSupport

/// `taurun convert` as a library call: this reads the manifest and the app's stored state (StoredAppState: limits,
/// recorded decisions, id range), TauSandbox plans and translates (reading the rootfs and the host's facts, writing
/// nothing), and this writes the result onto the host: the state directory's records (ids.json, grants, the app's
/// bundles and access records), the shared rootfs skeleton, the app's home, the AppArmor profile, the bundle itself
/// (staging + rename, or in place where only some files' bytes change) and the ACL entries on the sockets and paths
/// it was granted.
///
/// Order is what makes a killed convert safe: everything is checked before the first write; what uninstall needs to
/// find something is recorded before that thing is made (the id range and the bundle record before the bundle, the
/// owner and access records before their ACL entries); the bundle appears whole or not at all.
public enum AppInstaller {
    public static func convert<Prompter: ConsentPrompter>(
        _ options: ConvertOptions, prompter: Prompter?, host: some HostProvisioning = HostProvisioner()
    ) throws(SandboxError) -> ConvertResult {
        let cwd = try FileSystem.currentDirectory()
        let state = LexicalPath.absolute(options.stateDirectory, relativeTo: cwd)
        // Validate everything (read-only) before the state directory is even created.
        let declared = try ManifestLoader.load(path: options.manifestPath)
        let stored = StoredAppState.load(stateDirectory: state, app: declared.id, caller: options.caller)
        var prompter = prompter
        var plan = try TauConverter.makePlan(options, manifest: declared, stored: stored, stateDirectory: state, cwd: cwd, prompter: &prompter)
        let target = Target(
            bundle: LexicalPath.absolute(options.bundlePath, relativeTo: cwd), state: state, caller: options.caller, host: host)
        let writer = try preflight(plan, onto: target)

        // Everything is validated: now write, under the state lock. A concurrent convert may have taken the id
        // range this plan peeked at; re-read it under the lock.
        try StateDirectory.ensureBase(state)
        let lock = try StateLock(stateDirectory: state)
        defer { lock.release() }
        plan.inputs.hostIDBase = try IDAllocator(stateDirectory: state, caller: options.caller).peek(plan.manifest.id)
        let translation = try TauConverter.translate(plan, stateDirectory: state)
        if translation.needsResolvConf { try StateDirectory.ensureResolvConf(state) }
        let installed = try install(plan, translation, writer: writer, onto: target)
        let manifest = plan.manifest
        return ConvertResult(
            app: manifest.id, bundlePath: target.bundle, hostIDBase: plan.inputs.hostIDBase, hostUID: translation.hostUID,
            homePath: installed.home, permissions: plan.inputs.permissions,
            appArmorProfileName: translation.generated.appArmorProfileName, appArmorLoaded: installed.appArmorLoaded,
            warnings: installed.warnings, consentChanges: plan.consentChanges, unsandboxed: manifest.sandbox == .none,
            rootlessOmissions: plan.rootlessOmissions.map { $0.line(app: manifest.id) })
    }

    /// Where a convert writes: the bundle, the state directory, for whom, through which host.
    private struct Target<Host: HostProvisioning> {
        let bundle: String
        let state: String
        let caller: Caller
        let host: Host
    }

    /// What a convert made that its result reports.
    private struct Installed {
        var home: String
        var appArmorLoaded: Bool
        var warnings: [String]
    }

    /// Every check that can fail before the first write; the writer that will put the bundle in place.
    private static func preflight<Host>(_ plan: ConvertPlan, onto target: Target<Host>) throws(SandboxError) -> BundleWriter {
        let (bundle, state, caller, host) = (target.bundle, target.state, target.caller, target.host)
        let manifest = plan.manifest
        for protected in [plan.inputs.rootfsHostPath, state] where PathRules.isSame(bundle, orUnder: protected) {
            throw .policyDenied(reason: "--bundle \(bundle) is inside \(protected)")
        }
        let writer = BundleWriter(bundle: bundle)
        try writer.preflight()
        try StateDirectory.makeTraversable(state, caller: caller)
        let peekedUID = plan.inputs.hostIDBase + IDAllocator.appID
        // The runtime resolves mount sources as the container's root, an unprivileged host uid: every parent must be
        // searchable by "other", or the container fails to start with a bare EACCES.
        var traversed = [("--bundle", LexicalPath.directoryName(bundle)), ("rootfs", plan.inputs.rootfsHostPath), ("--state-dir", state)]
        traversed += plan.inputs.dataMounts.map { ("filesystem", LexicalPath.directoryName($0.path)) }
        for (origin, path) in traversed {
            try AccessCheck.requireTraversable(path, origin: origin)
        }
        try SkeletonStore(stateDirectory: state).preflight(plan.layout)
        try HomeProvisioner(
            stateDirectory: state, app: manifest.id, hostUID: peekedUID, diskBytes: manifest.resources.diskBytes, caller: caller, host: host
        ).preflight()
        try DataAccess.preflight(plan.inputs.dataMounts, caller: caller)
        try SocketAccess(
            stateDirectory: state, app: manifest.id, mountUID: manifest.sandbox == .taurun ? plan.inputs.hostIDBase : nil,
            appUID: peekedUID, host: host
        ).preflight(BundleGenerator.sockets(plan.inputs))
        return writer
    }

    /// The writes, in the order that keeps a killed convert safe (the type's comment); on a failure the staged
    /// bundle is discarded.
    private static func install<Host>(
        _ plan: ConvertPlan, _ translation: ConvertTranslation, writer: BundleWriter, onto target: Target<Host>
    ) throws(SandboxError) -> Installed {
        let (bundle, state, caller, host) = (target.bundle, target.state, target.caller, target.host)
        let manifest = plan.manifest
        let hostUID = translation.hostUID
        let mountUID = manifest.sandbox == .taurun ? plan.inputs.hostIDBase : nil
        let provisioner = HomeProvisioner(
            stateDirectory: state, app: manifest.id, hostUID: hostUID, diskBytes: manifest.resources.diskBytes, caller: caller, host: host)
        var installed = Installed(home: provisioner.home, appArmorLoaded: false, warnings: [])
        do {
            if plan.inputs.host.appArmorEnabled && plan.inputs.loadsAppArmorProfile && manifest.sandbox == .taurun {
                try host.loadAppArmorProfile(translation.generated.appArmorProfile)
                installed.appArmorLoaded = true
            }
            try provisioner.provision()
            try OwnerAccess(stateDirectory: state, app: manifest.id, home: provisioner.home, host: host).apply(owner: plan.ownerUID)
            _ = try IDAllocator(stateDirectory: state, caller: caller).allocate(manifest.id)
            if plan.recordChanged { try GrantStore(stateDirectory: state).save(plan.record) }
            // Before the bundle: its config.json names the skeleton, and uninstall finds bundles by this record.
            _ = try SkeletonStore(stateDirectory: state).ensure(plan.layout)
            try AppBundles(stateDirectory: state, app: manifest.id).register(bundle: bundle, skeleton: translation.skeletonName)
            if try !writer.updateInPlace(translation.bundleFiles) {
                try writer.stage(translation.bundleFiles)
                try writer.commit()
            }
            // After the bundle: a failure here leaves a bundle that cannot reach its sockets or data, never access
            // without it.
            try SocketAccess(stateDirectory: state, app: manifest.id, mountUID: mountUID, appUID: hostUID, host: host)
                .apply(translation.grantedSockets)
            installed.warnings = try DataAccess(stateDirectory: state, app: manifest.id, host: host).apply(
                plan.inputs.dataMounts, uid: hostUID, mountUID: mountUID, namedByManifest: !manifest.permissions.filesystemPaths.isEmpty)
        } catch {
            writer.discard()
            throw error
        }
        return installed
    }
}
