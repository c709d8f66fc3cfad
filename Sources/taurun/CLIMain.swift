import ArgumentParser
import TaurunLinux
import TaurunOCI
import TaurunSupport
import TaurunRuntime

#if canImport(Glibc)
import Glibc
#endif

/// Parses, runs, and turns every failure into runc's contract: one line on stderr, one line in `--log` (JSON with
/// `--log-format json`), exit status 1. Help and `--version` print to stdout and exit 0.
enum CLIMain {
    /// The global options of the verb that runs, so errors can reach its `--log` (set when a verb runs).
    nonisolated(unsafe) static var globals: GlobalSettings?
    /// The global options as the parser validated them (GlobalOptions.validate), before the verb was parsed.
    nonisolated(unsafe) static var parsedGlobals: GlobalSettings?

    /// The arguments are tried against four parses, cheapest first, each giving up (nil) on anything it does not read
    /// exactly as the next one would, so all four yield the same command for the same arguments:
    /// 1. RuncSpellingParse: the lifecycle verbs (create, start, run, state, kill, delete) in the plain spelling
    ///    container engines use, by hand, no ArgumentParser (RuncSpellingParseTests compares it with 2 and 3);
    /// 2. ConvertSpellingParse: `convert` likewise (ConvertSpellingParseTests);
    /// 3. VerbAloneParse: ArgumentParser on the global options before the verb, then on the verb alone, for those
    ///    verbs and `spec` (runc's global `--rootless VALUE` would take spec's own `--rootless` flag in 4);
    /// 4. the whole tree rooted at Taurun: every other verb, help, --version and every usage error and its message.
    /// Paths 1-3 read global options before the verb only, as runc does; the whole tree also takes them after it.
    static func run(_ root: Taurun.Type) {
        let args = Array(CommandLine.arguments.dropFirst())
        do {
            if let (settings, request) = RuncSpellingParse.parse(args) {
                parsedGlobals = settings
                globals = settings
                try request.execute(settings.runtime)
            } else if let (settings, values) = ConvertSpellingParse.parse(args) {
                // As after ArgumentParser's parse of convert: the globals are read, but errors are not logged to --log.
                parsedGlobals = settings
                var command = ConvertCommand(values)
                try command.run()
            } else {
                var command = try VerbAloneParse.parse(args) ?? Taurun.parseAsRoot(args)
                try command.run()
            }
        } catch let exit as ExitCode {
            Processes.exit(exit.rawValue)
        } catch let error as RuntimeError {
            fail(error.description)
        } catch {
            // Parser outcomes (help and --version requested, usage errors) and errors thrown by verbs.
            if Taurun.exitCode(for: error) == .success {
                print(Taurun.fullMessage(for: error))
                Processes.exit(0)
            }
            fail(Taurun.message(for: error))
        }
        Processes.exit(0)
    }

    static func fail(_ message: String) -> Never {
        let line = oneLine(message)
        writeError("taurun: \(line)\n")
        if let g = globals, let path = g.log {
            let time = WallClock.now(fractionDigits: 0)
            let entry: String
            switch g.logFormat {
            case .json:
                let members: [JSONValue.Member] = [("level", .string("error")), ("msg", .string(line)), ("time", .string(time))]
                entry = String(decoding: JSONWriter(indent: nil, keyOrder: .asBuilt).write(.object(members)), as: UTF8.self) + "\n"
            case .text: entry = "time=\"\(time)\" level=error msg=\(jsonString(line))\n"
            }
            if let fd = try? Files.open(path, O_WRONLY | O_APPEND | O_CREAT, mode: 0o644) {
                try? Files.writeAll(fd: fd, Array(entry.utf8), path: path)
                Files.close(fd)
            }
        }
        Processes.exit(1)
    }

    static func writeError(_ text: String) {
        try? Files.writeAll(fd: 2, Array(text.utf8), path: "stderr")
    }

    /// The message's lines, each without its leading and trailing spaces, empty ones dropped, joined by "; ". On
    /// bytes: the Character-based split, trim (ReversedCollection) and join instantiate generic types whose
    /// requirements the Swift runtime checks by scanning every conformance record, about 2 M instructions per error.
    static func oneLine(_ s: String) -> String {
        let bytes = Array(s.utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            var end = index
            while end < bytes.count && bytes[end] != 0x0A && bytes[end] != 0x0D { end += 1 }
            var first = index, last = end
            while first < last && bytes[first] == 0x20 { first += 1 }
            while last > first && bytes[last - 1] == 0x20 { last -= 1 }
            if first < last {
                if !out.isEmpty { out.append(contentsOf: [0x3B, 0x20]) }   // "; "
                out.append(contentsOf: bytes[first..<last])
            }
            index = end + 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func jsonString(_ s: String) -> String { jsonQuoted(s) }
}

/// A command that reads the global options the parser validated before it.
protocol ReadsGlobals: ParsableCommand {}

extension ReadsGlobals {
    /// Both parse paths parse and validate the global options before they return a verb.
    var globals: GlobalSettings { CLIMain.parsedGlobals! }
}

/// Every verb runs with the global options the parser validated before it, and registers them for error logging.
protocol TaurunVerb: ReadsGlobals {
    mutating func execute(_ runtime: Runtime) throws
}

extension TaurunVerb {
    mutating func run() throws {
        CLIMain.globals = globals
        try execute(globals.runtime)
    }
}

/// A verb VerbAloneParse parses on its own, without the tree: it has no @ParentCommand (which cannot be decoded
/// without its parent) and reads the globals as `globals`.
protocol ParsedAlone: ReadsGlobals {}
