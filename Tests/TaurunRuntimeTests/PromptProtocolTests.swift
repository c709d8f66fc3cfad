import Testing
import TaurunOCI
@testable import TaurunRuntime

/// The runtime prompt protocol (docs/prompts.md): what the monitor sends, and which replies it takes as an answer.
@Suite struct PromptProtocolTests {
    let request = PromptRequest(
        id: "c1/1", app: "org.tauos.x", container: "c1", pid: 42, permission: "network", call: "socket(AF_INET, SOCK_STREAM)",
        timeoutMs: 30000)

    @Test func theRequestIsOneJSONLineWithTheDocumentedMembers() {
        let line = String(decoding: PromptProtocol.line(request), as: UTF8.self)
        #expect(line == """
            {"answers":["allow-once","allow-always","deny-once","deny-always"],"app":"org.tauos.x","call":"socket(AF_INET, SOCK_STREAM)",\
            "container":"c1","id":"c1/1","permission":"network","pid":42,\
            "question":"Allow org.tauos.x to use permission \\"network\\"? It called socket(AF_INET, SOCK_STREAM).",\
            "taurun_prompt":1,"timeout_ms":30000}

            """)
        #expect(line.filter { $0 == "\n" }.count == 1)
        // The terminal side reads the same line back.
        #expect(PromptProtocol.request(from: Array(PromptProtocol.line(request).dropLast())) == request)
    }

    @Test func eachOfTheFourAnswersIsAccepted() {
        for answer in PromptAnswer.allCases {
            let line = Array(#"{"id":"c1/1","answer":"\#(answer.rawValue)"}"#.utf8)
            #expect(PromptProtocol.answer(from: line, to: "c1/1") == .success(answer))
        }
        // Members an agent adds are ignored; the order does not matter.
        #expect(PromptProtocol.answer(from: Array(#"{"answer":"deny-always","remember":true,"id":"c1/1"}"#.utf8), to: "c1/1")
            == .success(.denyAlways))
        #expect(PromptProtocol.line(PromptReply(id: "c1/1", answer: .allowOnce)) == Array("{\"answer\":\"allow-once\",\"id\":\"c1/1\"}\n".utf8))
    }

    @Test func anythingElseIsNoAnswer() {
        let cases: [(String, String)] = [
            ("yes", "not a reply object"),
            (#"{"id":"c1/1"}"#, "not a reply object"),
            (#"{"id":"c1/1","answer":"allow"}"#, #"unknown answer "allow""#),
            (#"{"id":"c1/1","answer":"ALLOW-ONCE"}"#, "unknown answer"),
            (#"{"id":"c1/2","answer":"allow-once"}"#, #"reply to "c1/2", not to "c1/1""#),
            (#"{"id":1,"answer":"allow-once"}"#, "not a reply object"),
            (#"["c1/1","allow-once"]"#, "not a reply object"),
            (#"{"id":"c1/1","answer":"allow-once"} trailing"#, "not a reply object"),
            ("", "not a reply object"),
        ]
        for (line, reason) in cases {
            guard case .failure(let error) = PromptProtocol.answer(from: Array(line.utf8), to: "c1/1") else {
                Issue.record("\(line) was taken as an answer")
                continue
            }
            #expect(error.reason.contains(reason), "\(line): \(error.reason)")
        }
        // Another version of the protocol is not read as this one.
        #expect(PromptProtocol.request(from: Array(#"{"taurun_prompt":2,"id":"x"}"#.utf8)) == nil)
    }

    @Test func theTerminalTakesOneLetterOrTheAnswersName() {
        #expect(PromptAnswer(typed: "a") == .allowOnce)
        #expect(PromptAnswer(typed: "A") == .allowAlways)
        #expect(PromptAnswer(typed: "d") == .denyOnce)
        #expect(PromptAnswer(typed: "") == .denyOnce)
        #expect(PromptAnswer(typed: "D") == .denyAlways)
        #expect(PromptAnswer(typed: "allow-always") == .allowAlways)
        #expect(PromptAnswer(typed: "y") == nil)
        #expect(PromptAnswer(typed: "yes") == nil)
        // Control characters from the bundle or the app never reach the terminal as such.
        #expect(PromptTerminal.printable("org.x\u{1b}[2J\nfake") == "org.x?[2J?fake")
    }
}
