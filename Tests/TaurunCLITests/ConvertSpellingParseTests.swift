import ArgumentParser
import Testing
@testable import taurun

extension CLIParsePathTests {
    /// ConvertSpellingParse reads `convert` only where ArgumentParser reads it the same way: for every argument vector
    /// here it either gives up (nil) or gives the globals and values both ArgumentParser paths give.
    @Suite struct ConvertSpellingParseTests {
        static func parsedByArgumentParser(_ arguments: [String], wholeTree: Bool) -> (GlobalSettings, ConvertValues)? {
            CLIMain.parsedGlobals = nil
            let parsed: (any ParsableCommand)? = wholeTree ? try? Taurun.parseAsRoot(arguments) : VerbAloneParse.parse(arguments)
            guard let command = parsed as? ConvertCommand, let globals = CLIMain.parsedGlobals else { return nil }
            return (globals, command.values)
        }

        static let prefixes: [[String]] = [[], ["--audit-log", "/tmp/a"], ["--root=/r", "--debug"]]

        static let plain: [[String]] = [
            ["convert", "m.toml", "--bundle", "/b"], ["convert", "--bundle=/b", "m.toml"], ["convert", "--bundle", "/b", "m.toml"],
            ["convert", "m.toml", "--bundle", "/b", "--rootfs", "/r", "--data=/d", "--state-dir", "/s", "--owner", "u"],
            ["convert", "m.toml", "--bundle", "/b", "--grant", "network", "--grant=camera", "--yes", "--json"],
            ["convert", "m.toml", "--bundle", "/b", "--on-violation", "ask", "--device-root", "/tmp/dev"],
            ["convert", "m.toml", "--bundle", "/b", "--on-violation", "bogus"], ["convert", "help", "--bundle", "/b"],
        ]

        static let other: [[String]] = [
            ["convert"], ["convert", "m.toml"], ["convert", "--bundle", "/b"], ["convert", "m.toml", "--bundle", "/b", "--"],
            ["convert", "m.toml", "--bundle", "/b", "--", "/bin/sh"], ["convert", "m.toml", "--bundle", "/b", "extra"],
            ["convert", "--help"], ["convert", "m.toml", "--bundle", "/b", "-h"], ["convert", "m.toml", "--bundle"],
            ["convert", "m.toml", "--bundle", "/b", "--bundle", "/c"], ["convert", "m.toml", "--bundle", "/b", "--yes", "--yes"],
            ["convert", "m.toml", "--bundle", "-b"], ["convert", "m.toml", "--bundle", ""], ["convert", "m.toml", "--bundle=", "x"],
            ["convert", "m.toml", "--bundle", "/b", "--json=1"], ["convert", "m.toml", "--bundle", "/b", "--unknown"],
            ["convert", "", "--bundle", "/b"], ["convert", "-", "--bundle", "/b"], ["explain", "m.toml"],
        ]

        @Test func plainSpellingsParseAsArgumentParserParsesThem() throws {
            for prefix in Self.prefixes {
                for verb in Self.plain {
                    let arguments = prefix + verb
                    let fast = try #require(ConvertSpellingParse.parse(arguments), "gave up on \(arguments)")
                    for wholeTree in [false, true] {
                        let slow = try #require(
                            Self.parsedByArgumentParser(arguments, wholeTree: wholeTree),
                            "ArgumentParser refused \(arguments) (whole tree: \(wholeTree))")
                        #expect(fast.globals == slow.0, "\(arguments)")
                        #expect(fast.values == slow.1, "\(arguments)")
                    }
                }
            }
        }

        @Test func everythingElseIsLeftToArgumentParser() {
            for prefix in Self.prefixes {
                for verb in Self.other {
                    #expect(ConvertSpellingParse.parse(prefix + verb) == nil, "read \(prefix + verb) without ArgumentParser")
                }
            }
        }

        /// The command made from the values holds every one of them (an unset property would trap when read).
        @Test func theCommandCarriesEveryValue() {
            let values = ConvertValues(
                manifest: "m", bundle: "b", rootfs: "r", data: "d", grants: ["network", "camera"], yes: true, stateDirectory: "s",
                deviceRoot: "/tmp/dev", json: true, owner: "o", onViolation: "ask", command: ["/bin/sh"])
            #expect(ConvertCommand(values).values == values)
        }
    }
}
