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
        let caller = options.caller
        let manifest = plan.manifest
        let bundle = LexicalPath.absolute(options.bundlePath, relativeTo: cwd)
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
        let skeletons = SkeletonStore(stateDirectory: state)
        try skeletons.preflight(plan.layout)
        let preflightProvisioner = HomeProvisioner(
            stateDirectory: state, app: manifest.id, hostUID: peekedUID, diskBytes: manifest.resources.diskBytes, caller: caller, host: host)
        try preflightProvisioner.preflight()
        try DataAccess.preflight(plan.inputs.dataMounts, caller: caller)
        try SocketAccess(
            stateDirectory: state, app: manifest.id, mountUID: manifest.sandbox == .taurun ? plan.inputs.hostIDBase : nil,
            appUID: peekedUID, host: host
        ).preflight(BundleGenerator.sockets(plan.inputs))

        // Everything is validated: now write, under the state lock. A concurrent convert may have taken the id
        // range this plan peeked at; re-read it under the lock.
        try StateDirectory.ensureBase(state)
        let lock = try StateLock(stateDirectory: state)
        defer { lock.release() }
        plan.inputs.hostIDBase = try IDAllocator(stateDirectory: state, caller: caller).peek(manifest.id)
        let translation = try TauConverter.translate(plan, stateDirectory: state)
        if translation.needsResolvConf { try StateDirectory.ensureResolvConf(state) }
        let hostUID = translation.hostUID
        let mountUID = manifest.sandbox == .taurun ? plan.inputs.hostIDBase : nil
        var warnings: [String] = []
        let provisioner = HomeProvisioner(
            stateDirectory: state, app: manifest.id, hostUID: hostUID, diskBytes: manifest.resources.diskBytes, caller: caller, host: host)
        var appArmorLoaded = false
        do {
            if plan.inputs.host.appArmorEnabled && plan.inputs.loadsAppArmorProfile && manifest.sandbox == .taurun {
                try host.loadAppArmorProfile(translation.generated.appArmorProfile)
                appArmorLoaded = true
            }
            try provisioner.provision()
            try OwnerAccess(stateDirectory: state, app: manifest.id, home: provisioner.home, host: host).apply(owner: plan.ownerUID)
            _ = try IDAllocator(stateDirectory: state, caller: caller).allocate(manifest.id)
            if plan.recordChanged { try GrantStore(stateDirectory: state).save(plan.record) }
            // Before the bundle: its config.json names the skeleton, and uninstall finds bundles by this record.
            _ = try skeletons.ensure(plan.layout)
            try AppBundles(stateDirectory: state, app: manifest.id).register(bundle: bundle, skeleton: translation.skeletonName)
            if try !writer.updateInPlace(translation.bundleFiles) {
                try writer.stage(translation.bundleFiles)
                try writer.commit()
            }
            // After the bundle: a failure here leaves a bundle that cannot reach its sockets or data, never access
            // without it.
            try SocketAccess(stateDirectory: state, app: manifest.id, mountUID: mountUID, appUID: hostUID, host: host)
                .apply(translation.grantedSockets)
            warnings = try DataAccess(stateDirectory: state, app: manifest.id, host: host).apply(
                plan.inputs.dataMounts, uid: hostUID, mountUID: mountUID, namedByManifest: !manifest.permissions.filesystemPaths.isEmpty)
        } catch {
            writer.discard()
            throw error
        }
        return ConvertResult(
            app: manifest.id, bundlePath: bundle, hostIDBase: plan.inputs.hostIDBase, hostUID: hostUID,
            homePath: provisioner.home, permissions: plan.inputs.permissions,
            appArmorProfileName: translation.generated.appArmorProfileName, appArmorLoaded: appArmorLoaded, warnings: warnings,
            consentChanges: plan.consentChanges, unsandboxed: manifest.sandbox == .none,
            rootlessOmissions: plan.rootlessOmissions.map { $0.line(app: manifest.id) })
    }
}
