import Testing
@testable import TaurunRuntime

/// What the monitor of an on_violation = "ask" app does with each trapped call, and with each way a question ends.
@Suite struct PromptDecisionsTests {
    func decisions(_ unanswered: PromptAnswer = .denyOnce) -> PromptDecisions {
        PromptDecisions(askable: ["network"], unanswered: unanswered)
    }

    @Test func onlyARequestedUngrantedPermissionIsAskedFor() {
        var d = decisions()
        #expect(d.step(permission: "network") { _ in nil } == .ask(permission: "network"))
        // No permission allows the call (ptrace, unshare, …), or the manifest did not request it: EPERM, no question.
        #expect(d.step(permission: nil) { _ in nil } == .deny)
        #expect(d.step(permission: "camera") { _ in nil } == .deny)
    }

    @Test func aRecordedDecisionComesFirstAndIsReadOncePerRun() {
        var reads = 0
        var d = decisions()
        #expect(d.step(permission: "network") { _ in reads += 1; return true } == .allow)
        #expect(d.step(permission: "network") { _ in reads += 1; return false } == .allow)
        #expect(reads == 1)
        var refused = decisions()
        #expect(refused.step(permission: "network") { _ in false } == .deny)
    }

    @Test func eachAnswerHoldsForTheRunAndOnlyAlwaysIsRecorded() {
        let cases: [(PromptAnswer, PromptDecisions.Step, Bool)] = [
            (.allowOnce, .allow, false), (.allowAlways, .allow, true), (.denyOnce, .deny, false), (.denyAlways, .deny, true),
        ]
        for (answer, next, recorded) in cases {
            var d = decisions()
            #expect(d.settle(permission: "network", outcome: .answered(answer)) == .init(applied: answer, record: recorded))
            #expect(d.step(permission: "network") { _ in Issue.record("asked the store after an answer"); return nil } == next)
        }
    }

    @Test func noAnswerIsDenyOnceAndNobodyToAskIsTheDefault() {
        for outcome in [PromptOutcome.timeout, .invalid("garbage")] {
            var d = decisions(.allowOnce)
            #expect(d.settle(permission: "network", outcome: outcome) == .init(applied: .denyOnce, record: false))
            #expect(d.step(permission: "network") { _ in nil } == .deny)
        }
        var d = decisions()
        #expect(d.settle(permission: "network", outcome: .nobody("no terminal")) == .init(applied: .denyOnce, record: false))
        var allowing = decisions(.allowOnce)
        #expect(allowing.settle(permission: "network", outcome: .nobody("no agent")) == .init(applied: .allowOnce, record: false))
        #expect(allowing.step(permission: "network") { _ in nil } == .allow)
        var refusing = decisions(.denyAlways)
        #expect(refusing.settle(permission: "network", outcome: .nobody("no agent")) == .init(applied: .denyAlways, record: true))
    }

    @Test func aCancelledQuestionDecidesNothingABoundedNumberOfTimes() {
        var d = decisions()
        for _ in 1..<PromptDecisions.maxCancelled {
            #expect(d.settle(permission: "network", outcome: .cancelled) == .init(applied: .denyOnce, record: false))
            #expect(d.step(permission: "network") { _ in nil } == .ask(permission: "network"))
        }
        // An app that kills its own waiting callers to ask again and again gets deny-once for the run.
        #expect(d.settle(permission: "network", outcome: .cancelled) == .init(applied: .denyOnce, record: false))
        #expect(d.step(permission: "network") { _ in nil } == .deny)
    }
}

@Suite struct PromptSettingsTests {
    func settings(_ env: [String: String], euid: UInt32 = 0, uid: UInt32 = 0) throws(RuntimeError) -> PromptSettings {
        try PromptSettings.from(environment: { env[$0] }, euid: euid, uid: uid)
    }

    @Test func defaults() throws {
        let root = try settings([:])
        #expect(root.timeoutMs == 30000)
        #expect(root.unanswered == .denyOnce)
        #expect(root.agentSocket == "/run/user/0/taurun-prompt.sock")
        #expect(root.answeringUIDs == [0])
        let sudo = try settings(["SUDO_UID": "1000"])
        #expect(sudo.agentSocket == "/run/user/1000/taurun-prompt.sock")
        #expect(sudo.answeringUIDs == [0, 1000])
        let user = try settings(["XDG_RUNTIME_DIR": "/run/user/1000/", "SUDO_UID": "7"], euid: 1000, uid: 1000)
        #expect(user.agentSocket == "/run/user/1000/taurun-prompt.sock")
        #expect(user.answeringUIDs == [0, 1000])
    }

    @Test func theUsersSettings() throws {
        let s = try settings(["TAURUN_PROMPT_TIMEOUT": "5", "TAURUN_PROMPT_DEFAULT": "deny-always", "TAURUN_PROMPT_SOCKET": "/tmp/a.sock"])
        #expect(s.timeoutMs == 5000)
        #expect(s.unanswered == .denyAlways)
        #expect(s.agentSocket == "/tmp/a.sock")
        #expect(try settings(["TAURUN_PROMPT_TIMEOUT": "250ms"]).timeoutMs == 250)
    }

    @Test func unusableSettingsNameTheVariableAndValue() {
        let bad = [
            ("TAURUN_PROMPT_TIMEOUT", "0"), ("TAURUN_PROMPT_TIMEOUT", "10s"), ("TAURUN_PROMPT_TIMEOUT", "-1"),
            ("TAURUN_PROMPT_TIMEOUT", "99ms"), ("TAURUN_PROMPT_TIMEOUT", "3601"), ("TAURUN_PROMPT_DEFAULT", "allow-always"),
            ("TAURUN_PROMPT_DEFAULT", "yes"), ("TAURUN_PROMPT_SOCKET", "relative.sock"),
        ]
        for (name, value) in bad {
            #expect(throws: RuntimeError.self, "\(name)=\(value)") { try settings([name: value]) }
            do { _ = try settings([name: value]) } catch {
                #expect("\(error)".contains(name) && "\(error)".contains(value), "\(error)")
            }
        }
    }
}
