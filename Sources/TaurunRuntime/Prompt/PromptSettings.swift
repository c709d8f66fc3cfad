import TaurunLinux
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

/// How a Tau app's runtime prompts behave (docs/prompts.md), read from the environment of the taurun process that
/// creates the container (`taurun run`, `create`, `exec`), so a user sets them once in their session:
///
///     TAURUN_PROMPT_SOCKET   the prompt agent's socket (default $XDG_RUNTIME_DIR/taurun-prompt.sock)
///     TAURUN_PROMPT_TIMEOUT  how long a question waits, in seconds, or milliseconds with "ms" (default 30)
///     TAURUN_PROMPT_DEFAULT  the answer when nobody can be asked: deny-once (default), deny-always or allow-once
public struct PromptSettings: Equatable, Sendable {
    /// TAURUN_PROMPT_TIMEOUT's default, also what a monitor without settings waits.
    public static let defaultTimeoutMs = 30_000
    public var timeoutMs = defaultTimeoutMs
    /// Applied (and audited as `default`) when there is neither a terminal nor an agent. allow-always is refused:
    /// a grant is recorded only when a person gave it.
    public var unanswered = PromptAnswer.denyOnce
    public var agentSocket: String
    /// Who may answer through the agent socket: root, and the user taurun runs as or for (the sudo caller).
    public var answeringUIDs: [UInt32]

    public static let timeoutRange = 100...3_600_000

    public init(agentSocket: String, answeringUIDs: [UInt32]) {
        self.agentSocket = agentSocket
        self.answeringUIDs = answeringUIDs
    }

    /// The settings from `environment` (a lookup, so unit tests need no real environment); an unusable value is a
    /// RuntimeError naming the variable and the value.
    public static func from(environment: (String) -> String?, euid: UInt32, uid: UInt32) throws(RuntimeError) -> PromptSettings {
        let sudoUID = environment("SUDO_UID").flatMap { UInt32($0) }
        var answering: [UInt32] = [0, euid, uid]
        if euid == 0, let sudoUID { answering.append(sudoUID) }
        var seen: Set<UInt32> = []
        answering = answering.filter { seen.insert($0).inserted }
        var settings = PromptSettings(
            agentSocket: defaultSocket(xdgRuntimeDir: environment("XDG_RUNTIME_DIR"), euid: euid, sudoUID: sudoUID),
            answeringUIDs: answering)
        if let socket = environment("TAURUN_PROMPT_SOCKET") {
            guard socket.hasPrefix("/") else {
                throw .unsupported(field: "TAURUN_PROMPT_SOCKET", value: socket, reason: "the prompt agent's socket must be an absolute path:")
            }
            settings.agentSocket = socket
        }
        if let text = environment("TAURUN_PROMPT_TIMEOUT") {
            guard let ms = milliseconds(text), timeoutRange.contains(ms) else {
                throw .unsupported(field: "TAURUN_PROMPT_TIMEOUT", value: text,
                                   reason: "must be seconds (1 to 3600) or milliseconds with ms (100ms and up):")
            }
            settings.timeoutMs = ms
        }
        if let text = environment("TAURUN_PROMPT_DEFAULT") {
            guard let answer = PromptAnswer(rawValue: text), answer != .allowAlways else {
                throw .unsupported(field: "TAURUN_PROMPT_DEFAULT", value: text, reason: "must be deny-once, deny-always or allow-once:")
            }
            settings.unanswered = answer
        }
        return settings
    }

    /// The process's own settings.
    public static func current() throws(RuntimeError) -> PromptSettings {
        try from(environment: { name in
            guard let value = getenv(name), value.pointee != 0 else { return nil }
            return String(cString: value)
        }, euid: ProcessIdentity.effectiveUID, uid: ProcessIdentity.realUID)
    }

    /// `$XDG_RUNTIME_DIR/taurun-prompt.sock` (an absolute one), else the runtime directory systemd-logind makes for
    /// the user: the sudo caller's when root runs for one, else the process's own. Not inside `$XDG_RUNTIME_DIR/taurun`,
    /// an ordinary user's state root, where a container could be named like it.
    static func defaultSocket(xdgRuntimeDir: String?, euid: UInt32, sudoUID: UInt32?) -> String {
        if let xdg = xdgRuntimeDir, xdg.hasPrefix("/") { return (xdg.hasSuffix("/") ? String(xdg.dropLast()) : xdg) + "/taurun-prompt.sock" }
        let uid = euid == 0 ? (sudoUID ?? 0) : euid
        return "/run/user/\(uid)/taurun-prompt.sock"
    }

    /// "30" → 30000, "1500ms" → 1500; nil for anything else.
    static func milliseconds(_ text: String) -> Int? {
        if text.hasSuffix("ms") {
            guard let value = Int(text.dropLast(2)), value >= 0 else { return nil }
            return value
        }
        guard let seconds = Int(text), seconds >= 0, seconds <= 3600 else { return nil }
        return seconds * 1000
    }
}
