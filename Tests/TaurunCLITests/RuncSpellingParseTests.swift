import ArgumentParser
import Testing
@testable import taurun

extension CLIParsePathTests {
    /// RuncSpellingParse reads only what ArgumentParser reads the same way: for every argument vector here it either
    /// gives up (nil: ArgumentParser parses) or gives exactly the globals and request ArgumentParser's two paths give
    /// (VerbAloneParse and the whole tree rooted at Taurun).
    @Suite struct RuncSpellingParseTests {
        /// What ArgumentParser makes of the arguments through one of its paths: the validated globals and the request,
        /// or nil when it fails or the command is not a lifecycle verb.
        static func parsedByArgumentParser(_ arguments: [String], wholeTree: Bool) -> (GlobalSettings, LifecycleRequest)? {
            CLIMain.parsedGlobals = nil
            let parsed: (any ParsableCommand)?
            if wholeTree {
                parsed = try? Taurun.parseAsRoot(arguments)
            } else {
                parsed = VerbAloneParse.parse(arguments)
            }
            guard let command = parsed as? any LifecycleCommand, let globals = CLIMain.parsedGlobals else { return nil }
            return (globals, command.request)
        }

        static let globalPrefixes: [[String]] = [
            [], ["--root", "/run/x"], ["--root=/run/x"], ["--log", "/tmp/l", "--log-format", "json"], ["--log-format=text"],
            ["--debug", "--systemd-cgroup", "--require-lsm"], ["--rootless", "true", "--audit-log=/tmp/a"],
            ["--rootless=false"], ["--root", "/a", "--debug", "--log=/l"],
        ]

        /// Spellings RuncSpellingParse reads (the test fails if it gives up on one of them).
        static let plain: [[String]] = [
            ["create", "c1"], ["create", "--bundle", "/b", "c1"], ["create", "-b", "/b", "c1"], ["create", "--bundle=/b", "c1"],
            ["create", "c1", "--bundle", "/b"], ["create", "--pid-file", "/p", "--console-socket", "/s", "--bundle", "b", "c1"],
            ["create", "--pid-file=/p", "--console-socket=/s", "c1"], ["create", "--no-pivot", "--no-new-keyring", "c1"],
            ["create", "--preserve-fds", "3", "c1"], ["create", "--preserve-fds=65535", "c1"], ["create", "--preserve-fds", "007", "c1"],
            ["run", "c1"], ["run", "--bundle", "/b", "c1"], ["run", "-d", "c1"], ["run", "--detach", "--keep", "-b", "/b", "c1"],
            ["run", "c1", "--keep"], ["run", "--no-pivot", "--pid-file", "/p", "c1"], ["run", "--preserve-fds", "0", "c1"],
            ["start", "c1"], ["state", "c1"], ["state", "a=b"], ["state", "run"], ["state", "help"], ["start", "state"],
            ["kill", "c1"], ["kill", "c1", "KILL"], ["kill", "c1", "9"], ["kill", "-a", "c1", "SIGTERM"],
            ["kill", "--all", "c1"], ["kill", "c1", "--all", "TERM"], ["kill", "c1", "BOGUS"],
            ["delete", "c1"], ["delete", "-f", "c1"], ["delete", "--force", "c1"], ["delete", "c1", "--force"],
            ["create", "../x"], ["state", "a/b"], ["run", "--bundle", "dir with space", "id"],
        ]

        /// Spellings it leaves to ArgumentParser: help, version, errors and anything unusual.
        static let other: [[String]] = [
            [], ["--help"], ["-h"], ["--version"], ["help"], ["help", "run"], ["state"], ["state", "--help"],
            ["state", "-h", "c1"], ["run", "--help"], ["state", "c1", "c2"], ["start"], ["kill"], ["kill", "c1", "KILL", "x"],
            ["kill", "c1", "-9"], ["kill", "-9", "c1"], ["state", "--", "c1"], ["state", ""], ["state", "-"],
            ["create", "--bundle"], ["create", "--bundle", "--no-pivot", "c1"], ["create", "--bundle=", "c1"],
            ["create", "-b=/b", "c1"], ["create", "-bfoo", "c1"], ["create", "--bundle", "a", "--bundle", "b", "c1"],
            ["create", "--preserve-fds", "-1", "c1"], ["create", "--preserve-fds", "abc", "c1"],
            ["create", "--preserve-fds", "65536", "c1"], ["create", "--preserve-fds", "+3", "c1"],
            ["create", "--preserve-fds", "99999999999", "c1"], ["run", "-dk", "c1"], ["run", "-d", "-d", "c1"],
            ["delete", "-f", "--force", "c1"], ["delete", "--force=true", "c1"], ["run", "--detach=1", "c1"],
            ["create", "--unknown", "c1"], ["create", "c1", "--detach"], ["state", "--bundle", "b", "c1"],
            ["--root"], ["--root", "/a"], ["--root", "--debug", "state", "c1"], ["--debug=1", "state", "c1"],
            ["--log-format", "bogus", "state", "c1"], ["--root", "/a", "--root", "/b", "state", "c1"], ["--bogus", "state", "c1"],
            ["-root", "/a", "state", "c1"], ["list"], ["spec"], ["exec", "c1", "true"], ["convert", "x"], ["pause", "c1"],
            ["state", "c1", "--root", "/a"], ["--root=", "state", "c1"], ["--generate-completion-script", "bash"],
        ]

        @Test func plainSpellingsParseAsArgumentParserParsesThem() throws {
            for prefix in Self.globalPrefixes {
                for verb in Self.plain {
                    let arguments = prefix + verb
                    let fast = try #require(RuncSpellingParse.parse(arguments), "gave up on \(arguments)")
                    for wholeTree in [false, true] {
                        let slow = try #require(
                            Self.parsedByArgumentParser(arguments, wholeTree: wholeTree),
                            "ArgumentParser refused \(arguments) (whole tree: \(wholeTree))")
                        #expect(fast.globals == slow.0, "\(arguments)")
                        #expect(fast.request == slow.1, "\(arguments)")
                    }
                }
            }
        }

        @Test func everythingElseIsLeftToArgumentParser() {
            for prefix in Self.globalPrefixes {
                for verb in Self.other {
                    let arguments = prefix + verb
                    #expect(RuncSpellingParse.parse(arguments) == nil, "read \(arguments) without ArgumentParser")
                }
            }
        }

        /// The spellings the fast path reads are all ones a wrong reading would show: each value lands in its field.
        @Test func valuesLandInTheirFields() throws {
            let (globals, request) = try #require(RuncSpellingParse.parse([
                "--root", "/r", "--log=/l", "--log-format", "json", "--rootless", "auto", "--audit-log", "/a", "--debug",
                "run", "-d", "--keep", "-b", "/b", "--pid-file=/p", "--console-socket", "/s", "--no-pivot",
                "--no-new-keyring", "--preserve-fds", "2", "id1",
            ]))
            #expect(globals == GlobalSettings(
                root: "/r", log: "/l", logFormat: .json, debug: true, systemdCgroup: false, rootless: "auto", auditLog: "/a",
                requireLSM: false))
            #expect(request == .run(
                id: "id1",
                creation: CreationArguments(
                    bundle: "/b", pidFile: "/p", consoleSocket: "/s", noPivot: true, noNewKeyring: true, preserveFDs: 2),
                detach: true, keep: true))
        }
    }
}
