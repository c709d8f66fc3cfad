// One security-relevant thing that happened to a container or Tau app, as it is stored in the audit log:
// one JSON object per line, readable by jq and by `taurun audit`.

import TaurunSupport

/// What kind of record this is. Raw values are what the log stores, so they are part of the file format.
public enum AuditEventKind: String, Codable, Sendable, CaseIterable {
    case create, start, kill, delete, violation, oom
    /// A manifest or grant was refused before any container existed.
    case policyDenial = "policy-denial"
    /// An AppArmor/SELinux profile was not applied because the LSM is off in this kernel.
    case lsmSkipped = "lsm-skipped"
    /// A user's consent decision for a Tau app's permission changed (grant, revoke, convert's --grant/--yes/prompt).
    case consent
    /// A Tau app was converted with sandbox = "none" (acknowledged): it runs without taurun's sandbox.
    case unsandboxed
    /// A Tau app was uninstalled: what convert provisioned for it on the host is gone (its home kept or not).
    case uninstall
    /// An ordinary user converted a Tau app without something only root can set up (a disk quota, loading its
    /// AppArmor profile, cgroup limits no cgroup of the user's can hold): the app runs without it.
    case rootlessSkipped = "rootless-skipped"
    /// `taurun learn` saw a call the app's permissions do not allow (answered as the app would see it under its
    /// manifest, EPERM: action "denied") or a use of a granted permission it watches (let through: "allowed").
    /// Learning records; it never grants.
    case learn
    /// The security monitor of an on_violation = "ask" app held a call and asked the user for a permission (action
    /// "asked"; the message names the call and where the question went).
    case prompt
    /// How a prompt ended: the user's answer (action allow-once, allow-always, deny-once, deny-always), or "timeout",
    /// "invalid", "cancelled", or "default" when nobody could be asked; the message says what was applied.
    case promptAnswer = "prompt-answer"
}

public struct AuditEvent: Codable, Sendable, Equatable {
    /// RFC 3339 UTC with milliseconds, e.g. 2026-11-23T16:53:14.123Z. A string, not a Date, so the log round-trips
    /// byte for byte and needs no Foundation date formatting.
    public var time: String
    public var event: AuditEventKind
    /// Tau app id; nil for plain OCI containers.
    public var app: String?
    public var container: String?
    public var pid: Int32?
    /// The Tau permission the call needed, e.g. "network".
    public var permission: String?
    public var syscall: String?
    /// The raw integer arguments of the call (six for a violation).
    public var args: [UInt64]?
    /// The path the call named (read from the caller's memory by `taurun learn`'s monitor: an open's file, a
    /// connect's UNIX socket address, "@" first when abstract), as the app wrote it, made absolute.
    public var path: String?
    /// "terminated", "denied", "allowed" (learn), "skipped", "killed", or the signal name for kill.
    public var action: String?
    /// The one readable line `taurun audit` prints.
    public var message: String

    public init(
        event: AuditEventKind, app: String?, container: String?, pid: Int32? = nil, permission: String? = nil,
        syscall: String? = nil, args: [UInt64]? = nil, path: String? = nil, action: String? = nil, message: String,
        time: String = WallClock.now(fractionDigits: 3)
    ) {
        self.time = time
        self.event = event
        self.app = app
        self.container = container
        self.pid = pid
        self.permission = permission
        self.syscall = syscall
        self.args = args
        self.path = path
        self.action = action
        self.message = message
    }
}
