/// The parse of the lifecycle verbs (create, start, run, state, kill, delete) in the plain spelling container engines
/// use, without ArgumentParser: `[--global[=| ]value | --flag]... VERB [--option[=| ]value | -b value | --flag | -f]...
/// ID [SIGNAL]`. ArgumentParser builds every argument set through Mirror and Swift runtime lookups that scan every
/// protocol conformance of this binary: it was 8 of the 9.5 million instructions of `taurun state` (docs/profile.md).
///
/// This path only reads what ArgumentParser would read identically; whenever a token is anything else (help,
/// --version, `--`, an unknown or repeated option, a short-flag cluster, an empty token or one starting with `-` where a
/// value or id goes, an id missing or extra, a value ArgumentParser would refuse) it returns nil and the caller hands
/// the arguments to VerbAloneParse and the whole-tree parse, ArgumentParser, which stays the parser of record: help,
/// usage errors and their messages come from there only. RuncSpellingParseTests checks both give the same request.
enum RuncSpellingParse {
    /// The global settings and the verb's request, or nil for anything but the plain spelling.
    static func parse(_ arguments: [String]) -> (globals: GlobalSettings, request: LifecycleRequest)? {
        var tokens = Tokens(arguments)
        guard let globals = parseGlobals(&tokens), let verb = tokens.next() else { return nil }
        let request: LifecycleRequest?
        switch verb {
        case "create":
            request = parseCreation(&tokens, flags: []).flatMap { creation, _, ids in
                ids.count == 1 ? .create(id: ids[0], creation: creation) : nil
            }
        case "run":
            request = parseCreation(&tokens, flags: [("--detach", "-d"), ("--keep", nil)]).flatMap { creation, set, ids in
                ids.count == 1
                    ? .run(id: ids[0], creation: creation, detach: set.contains("--detach"), keep: set.contains("--keep"))
                    : nil
            }
        case "start", "state":
            guard let ids = parseFlags(&tokens, flags: []).map(\.positionals), ids.count == 1 else { return nil }
            request = verb == "start" ? .start(id: ids[0]) : .state(id: ids[0])
        case "kill":
            guard let (set, ids) = parseFlags(&tokens, flags: [("--all", "-a")]), ids.count == 1 || ids.count == 2 else {
                return nil
            }
            request = .kill(id: ids[0], signal: ids.count == 2 ? ids[1] : "SIGTERM", all: set.contains("--all"))
        case "delete":
            guard let (set, ids) = parseFlags(&tokens, flags: [("--force", "-f")]), ids.count == 1 else { return nil }
            request = .delete(id: ids[0], force: set.contains("--force"))
        default:
            return nil
        }
        return request.map { (globals, $0) }
    }

    /// The arguments left to read.
    struct Tokens {
        private let all: [String]
        private var index = 0
        init(_ all: [String]) { self.all = all }

        mutating func next() -> String? {
            guard index < all.count else { return nil }
            defer { index += 1 }
            return all[index]
        }

        /// An option's value: `--name=value` carries it, else it is the next token. nil when there is none or it is
        /// not a plain value (empty, or starting with `-`, which ArgumentParser reads as an option).
        mutating func value(attached: Substring?) -> String? {
            guard let value = attached.map(String.init) ?? next(), !value.isEmpty, !value.hasPrefix("-") else { return nil }
            return value
        }
    }

    /// `--name=value` split at the first `=`, or the token alone.
    static func nameAndValue(_ token: String) -> (name: Substring, value: Substring?) {
        guard let equals = token.firstIndex(of: "=") else { return (token[...], nil) }
        return (token[..<equals], token[token.index(after: equals)...])
    }

    /// The global options up to the verb (GlobalOptions's spelling), each at most once.
    static func parseGlobals(_ tokens: inout Tokens) -> GlobalSettings? {
        var globals = GlobalSettings()
        var seen: [Substring] = []
        while true {
            var lookahead = tokens
            guard let token = lookahead.next() else { return nil }
            guard token.hasPrefix("--") else { return globals }
            tokens = lookahead
            let (name, attached) = nameAndValue(token)
            guard !seen.contains(name) else { return nil }
            seen.append(name)
            switch name {
            case "--debug", "--systemd-cgroup", "--require-lsm":
                guard attached == nil else { return nil }
                if name == "--debug" { globals.debug = true }
                if name == "--systemd-cgroup" { globals.systemdCgroup = true }
                if name == "--require-lsm" { globals.requireLSM = true }
            case "--root", "--log", "--log-format", "--rootless", "--audit-log":
                guard let value = tokens.value(attached: attached) else { return nil }
                switch name {
                case "--root": globals.root = value
                case "--log": globals.log = value
                case "--rootless": globals.rootless = value
                case "--audit-log": globals.auditLog = value
                default:
                    guard let format = LogFormat(rawValue: value) else { return nil }
                    globals.logFormat = format
                }
            default:
                return nil
            }
        }
    }

    /// A verb's flags (long name, optional short name), each at most once, and its positional arguments; nil at any
    /// other option-like token or an empty one. Arrays, not sets: a handful of names, and a Set's generic metadata
    /// alone costs more than this whole parse.
    private static func parseFlags(
        _ tokens: inout Tokens, flags: [(long: String, short: String?)],
        option: (Substring, Substring?, inout Tokens) -> Bool? = { _, _, _ in nil }
    ) -> (set: [String], positionals: [String])? {
        var set: [String] = []
        var positionals: [String] = []
        while let token = tokens.next() {
            guard !token.isEmpty else { return nil }
            guard token.hasPrefix("-") else {
                positionals.append(token)
                continue
            }
            if let flag = flags.first(where: { $0.long == token || $0.short == token }) {
                guard !set.contains(flag.long) else { return nil }
                set.append(flag.long)
                continue
            }
            let (name, attached) = nameAndValue(token)
            guard option(name, attached, &tokens) == true else { return nil }
        }
        return (set, positionals)
    }

    /// `create`'s and `run`'s options (ContainerCreationOptions's spelling), the verb's own flags and the ids.
    private static func parseCreation(
        _ tokens: inout Tokens, flags: [(long: String, short: String?)]
    ) -> (CreationArguments, [String], [String])? {
        var creation = CreationArguments()
        var seen: [Substring] = []
        let creationFlags: [(long: String, short: String?)] = [("--no-pivot", nil), ("--no-new-keyring", nil)]
        guard let (set, ids) = parseFlags(&tokens, flags: flags + creationFlags, option: { name, attached, tokens in
            let known = name == "--bundle" || name == "-b" || name == "--pid-file" || name == "--console-socket"
                || name == "--preserve-fds"
            // ArgumentParser's `-b=value` is not this spelling.
            let canonical = name == "-b" ? "--bundle" : name
            guard known, !seen.contains(canonical), name != "-b" || attached == nil,
                let value = tokens.value(attached: attached)
            else { return nil }
            seen.append(canonical)
            switch name {
            case "--pid-file": creation.pidFile = value
            case "--console-socket": creation.consoleSocket = value
            case "--preserve-fds":
                // Digits only; a count out of range is ContainerCreationOptions.validate's error to word.
                guard value.utf8.count <= 5, value.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                    let count = Int32(value), CreationArguments.preserveFDsRange.contains(count)
                else { return nil }
                creation.preserveFDs = count
            default: creation.bundle = value
            }
            return true
        }) else { return nil }
        creation.noPivot = set.contains("--no-pivot")
        creation.noNewKeyring = set.contains("--no-new-keyring")
        return (creation, set, ids)
    }
}
