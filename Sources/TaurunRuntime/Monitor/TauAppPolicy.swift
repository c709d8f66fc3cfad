import TaurunOCI

/// What taurun reads from a bundle `taurun convert` wrote: the Tau annotations say which app this is, what it was
/// granted and what a violation does. runc and crun ignore them and apply the seccomp profile as written; taurun
/// additionally routes every violation through its security monitor, which audits it and applies `on_violation`.
struct TauAppPolicy: Equatable, Sendable {
    enum OnViolation: String, Sendable { case terminate, deny, ask }

    let appID: String
    let onViolation: OnViolation
    let granted: [String]
    /// The manifest asked for an enforcing LSM (`require_lsm = true`): without one the app does not start.
    let requiresLSM: Bool
    /// Requested but not granted in the bundle: what on_violation = "ask" may ask for at runtime.
    var notGranted: [String] = []
    /// The state directory whose grant store holds the app's decisions (on_violation = "ask").
    var stateDirectory: String? = nil
    /// The device nodes the monitor asks for when the app opens one (on_violation = "ask" only).
    var askedDevices: [AskedDevice] = []

    /// The app's policy, or nil for a plain OCI bundle (and for an app converted with sandbox = "none", which has no
    /// filter to monitor). An annotation taurun cannot read is an error, not a silently unmonitored app.
    /// `mounts` are the bundle's: an asked device's host node is what its bind names.
    static func from(annotations: [String: String]?, mounts: [Mount]? = nil) throws(RuntimeError) -> TauAppPolicy? {
        guard let annotations, let appID = annotations[TauAnnotation.id] else { return nil }
        if annotations[TauAnnotation.sandbox] == "none" { return nil }
        let raw = annotations[TauAnnotation.onViolation] ?? OnViolation.terminate.rawValue
        guard let onViolation = OnViolation(rawValue: raw) else {
            throw .unsupported(field: "annotations[\"\(TauAnnotation.onViolation)\"]", value: raw,
                               reason: "on_violation must be terminate, deny or ask:")
        }
        let granted = (annotations[TauAnnotation.permissions] ?? "").split(separator: ",").map(String.init)
        let requireRaw = annotations[TauAnnotation.requireLSM] ?? "false"
        guard requireRaw == "true" || requireRaw == "false" else {
            throw .unsupported(field: "annotations[\"\(TauAnnotation.requireLSM)\"]", value: requireRaw,
                               reason: "must be true or false:")
        }
        var policy = TauAppPolicy(appID: appID, onViolation: onViolation, granted: granted, requiresLSM: requireRaw == "true")
        policy.notGranted = (annotations[TauAnnotation.denied] ?? "").split(separator: ",").map(String.init)
        if onViolation == .ask {
            guard let state = annotations[TauAnnotation.stateDirectory], state.hasPrefix("/") else {
                throw .unsupported(field: "annotations[\"\(TauAnnotation.stateDirectory)\"]", value: annotations[TauAnnotation.stateDirectory] ?? "",
                                   reason: "on_violation = \"ask\" needs the absolute state directory of the app's grants:")
            }
            policy.stateDirectory = state
            policy.askedDevices = try AskedDevice.from(annotation: annotations[TauAnnotation.askedDevices], mounts: mounts)
        }
        return policy
    }

    /// The filter taurun loads for the app: every denial of the bundle's profile (the default action, and rules that
    /// kill, trap or fail with an errno) becomes SCMP_ACT_NOTIFY, so the monitor sees the call, writes the audit
    /// record and applies on_violation itself. ENOSYS rules stay: they mean "use the fallback" (clone3 → clone), not
    /// "forbidden". Allowed calls never reach the monitor, so the filter costs what the bundle's costs.
    static func monitored(_ seccomp: LinuxSeccomp) -> LinuxSeccomp {
        var filter = seccomp
        func isDenial(_ action: LinuxSeccompAction, _ errnoRet: UInt32?) -> Bool {
            switch action {
            case .kill, .killProcess, .killThread, .trap: return true
            case .errno: return errnoRet != enosys
            case .allow, .log, .trace, .notify: return false
            }
        }
        if isDenial(filter.defaultAction, filter.defaultErrnoRet) {
            filter.defaultAction = .notify
            filter.defaultErrnoRet = nil
        }
        filter.syscalls = filter.syscalls?.map { rule in
            guard isDenial(rule.action, rule.errnoRet) else { return rule }
            var r = rule
            r.action = .notify
            r.errnoRet = nil
            return r
        }.filter { $0.action != filter.defaultAction }
        // The bundle's own listener (if any) is not ours to serve: the monitor holds the only listener.
        filter.listenerPath = nil
        filter.listenerMetadata = nil
        return filter
    }

    static let enosys: UInt32 = 38
}
