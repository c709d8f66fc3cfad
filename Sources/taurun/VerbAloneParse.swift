import ArgumentParser

/// The parse of the verbs a container engine calls for every container (create, start, run, state, kill, delete),
/// when RuncSpellingParse left them to ArgumentParser, and of convert and spec: ArgumentParser parses the global options alone
/// and then the verb's own arguments alone, instead
/// of one parse of the whole tree. The whole-tree parse reflects every command it passes through and checks
/// for a completion-script request, and each reflected type costs Swift runtime lookups that scan every protocol
/// conformance in this binary: about a third of the CPU of `taurun run` before this (docs/profile.md).
///
/// Only the plain shape takes this path: known global options, each before the verb as runc accepts them (`--root X`
/// or `--root=X`, flags alone), then one of these verbs and its arguments. Anything else (help, --version, an unknown
/// or misplaced option, a usage error) returns nil and goes through the whole-tree parse, which gives the same
/// result, message and exit status as before.
enum VerbAloneParse {
    /// The verbs parsed on their own; none has @ParentCommand (which needs the whole tree). A switch rather than a
    /// table built from each verb's configuration: building those costs more than this whole split. A name missing
    /// here only means the whole-tree parse.
    static func verb(named name: String) -> (any ParsableCommand.Type)? {
        switch name {
        case "create": CreateCommand.self
        case "start": StartCommand.self
        case "run": RunCommand.self
        case "state": StateCommand.self
        case "kill": KillCommand.self
        case "delete": DeleteCommand.self
        case "convert": ConvertCommand.self
        // Also for correctness: only this path gives `spec --rootless` to spec (see SpecCommand).
        case "spec": SpecCommand.self
        default: nil
        }
    }

    /// The parsed verb, or nil when the arguments are not of the plain shape or do not parse.
    static func parse(_ arguments: [String]) -> (any ParsableCommand)? {
        guard let (globals, name, rest) = split(arguments), let type = verb(named: name) else { return nil }
        guard (try? GlobalOptions.parseAsRoot(globals)) is GlobalOptions else { return nil }
        guard let command = try? type.parseAsRoot(rest), Swift.type(of: command) == type else { return nil }
        return command
    }

    /// The global options before the verb, the verb, and what follows it; nil when a token before the verb is not a
    /// known global option (or a flag given a value, or an option missing its value).
    static func split(_ arguments: [String]) -> (globals: [String], verb: String, rest: [String])? {
        var index = 0
        while index < arguments.count {
            let token = arguments[index]
            guard token.hasPrefix("--") else {
                return (Array(arguments[..<index]), token, Array(arguments[(index + 1)...]))
            }
            let equals = token.utf8.firstIndex(of: UInt8(ascii: "="))
            let name = equals.map { String(token[..<$0]) } ?? token
            let hasValue = equals != nil
            if GlobalOptions.optionsTakingValue.contains(name) {
                if !hasValue {
                    index += 1
                    guard index < arguments.count else { return nil }
                }
            } else if !GlobalOptions.flags.contains(name) || hasValue {
                return nil
            }
            index += 1
        }
        return nil
    }
}

extension CommandConfiguration {
    /// The configuration of a verb VerbAloneParse parses. `_superCommandName` marks it as a command that is also reached from a larger
    /// tool, which makes ArgumentParser skip its completion-script check when the verb is parsed as its own root
    /// (VerbAloneParse); a `--generate-completion-script` then fails that parse and goes to the whole tree, which
    /// handles it as before. It changes no help text: help is generated from the whole tree, whose root is Taurun.
    static func parsedAlone(_ name: String, abstract: String) -> CommandConfiguration {
        CommandConfiguration(commandName: name, _superCommandName: "taurun", abstract: abstract)
    }
}
