import TaurunOCI
import TaurunSupport

/// The four answers a user can give to a runtime permission prompt (docs/prompts.md). "Once" lasts for the rest of
/// this run of the app (until its container ends) and is not recorded; "always" is recorded in the grant store, as
/// `taurun grant` / `taurun revoke` would, and holds for every later run and convert.
public enum PromptAnswer: String, CaseIterable, Sendable, Codable {
    case allowOnce = "allow-once"
    case allowAlways = "allow-always"
    case denyOnce = "deny-once"
    case denyAlways = "deny-always"

    public var allows: Bool { self == .allowOnce || self == .allowAlways }
    public var isRecorded: Bool { self == .allowAlways || self == .denyAlways }

    /// What a person types at the terminal prompt: a, A, d, D (or the answer's own name).
    public init?(typed text: String) {
        switch text {
        case "a": self = .allowOnce
        case "A": self = .allowAlways
        case "d", "": self = .denyOnce
        case "D": self = .denyAlways
        default: self.init(rawValue: text)
        }
    }
}

/// One question, as the monitor sends it to a prompt agent (or to `taurun run`'s terminal): one JSON object on one
/// line. Agents must ignore members they do not know; the version member says which protocol this is.
public struct PromptRequest: Codable, Equatable, Sendable {
    /// The protocol version, 1.
    public var taurunPrompt: Int
    /// Unique for the monitor's lifetime ("<container>/<n>"); the reply must carry it back.
    public var id: String
    public var app: String
    public var container: String
    /// The pid of the calling process, in the monitor's pid namespace.
    public var pid: Int32
    public var permission: String
    /// The call that needs it, as the audit log writes it: `socket(AF_INET, SOCK_STREAM)`.
    public var call: String
    /// A sentence to show the user.
    public var question: String
    /// The answers the monitor accepts, in the order to offer them.
    public var answers: [String]
    /// After this long with no answer the monitor answers deny-once itself (and audits a timeout).
    public var timeoutMs: Int

    enum CodingKeys: String, CodingKey {
        case taurunPrompt = "taurun_prompt"
        case id, app, container, pid, permission, call, question, answers
        case timeoutMs = "timeout_ms"
    }

    public init(id: String, app: String, container: String, pid: Int32, permission: String, call: String, timeoutMs: Int) {
        self.taurunPrompt = PromptProtocol.version
        self.id = id
        self.app = app
        self.container = container
        self.pid = pid
        self.permission = permission
        self.call = call
        self.question = "Allow \(app) to use permission \"\(permission)\"? It called \(call)."
        self.answers = PromptAnswer.allCases.map(\.rawValue)
        self.timeoutMs = timeoutMs
    }
}

/// The agent's reply: `{"id": "<the request's id>", "answer": "allow-once"}`, one line.
public struct PromptReply: Codable, Equatable, Sendable {
    public var id: String
    public var answer: String

    public init(id: String, answer: PromptAnswer) {
        self.id = id
        self.answer = answer.rawValue
    }
}

/// Encoding and strict parsing of the protocol's lines. A line is at most `maxLine` bytes including its newline.
public enum PromptProtocol {
    public static let version = 1
    public static let maxLine = 4096

    public static func line(_ request: PromptRequest) -> [UInt8] { JSONCoding.compact(request) + [0x0A] }
    public static func line(_ reply: PromptReply) -> [UInt8] { JSONCoding.compact(reply) + [0x0A] }

    /// The answer in `line` (without its newline) to the request `id`, or why it is not one.
    public static func answer(from line: [UInt8], to id: String) -> Result<PromptAnswer, ReplyError> {
        let reply: PromptReply
        do { reply = try JSONCoding.decode(PromptReply.self, from: line, file: "prompt reply") } catch {
            return .failure(ReplyError(reason: "not a reply object: \(error.description)"))
        }
        guard reply.id == id else { return .failure(ReplyError(reason: "reply to \(jsonQuoted(reply.id)), not to \(jsonQuoted(id))")) }
        guard let answer = PromptAnswer(rawValue: reply.answer) else {
            return .failure(ReplyError(reason: "unknown answer \(jsonQuoted(reply.answer))"))
        }
        return .success(answer)
    }

    /// A request line (the terminal side of `taurun run` reads these), or nil when it is not one of this version.
    public static func request(from line: [UInt8]) -> PromptRequest? {
        guard let request = try? JSONCoding.decode(PromptRequest.self, from: line, file: "prompt request"),
            request.taurunPrompt == version
        else { return nil }
        return request
    }

    public struct ReplyError: Error, Equatable, Sendable {
        public let reason: String
    }
}
