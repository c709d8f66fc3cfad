/// The parse of `convert` in its plain spelling, without ArgumentParser (as RuncSpellingParse does for the lifecycle
/// verbs, whose global options and token rules it shares): `[globals] convert MANIFEST --bundle DIR [--option[=|
/// ]value | --yes | --json]...`, `--grant` repeatable, every other option at most once. ArgumentParser's parse of
/// the verb alone was 9.6 of convert's 23.8 million instructions (docs/profile.md).
///
/// Anything else returns nil and goes to ArgumentParser, the parser of record, as before: help, `--` and the command
/// after it, an unknown or repeated option, an empty or dash-led value, no manifest or two, a missing --bundle.
/// ConvertSpellingParseTests checks both give the same values.
enum ConvertSpellingParse {
    static func parse(_ arguments: [String]) -> (globals: GlobalSettings, values: ConvertValues)? {
        var tokens = RuncSpellingParse.Tokens(arguments)
        guard let globals = RuncSpellingParse.parseGlobals(&tokens), tokens.next() == "convert" else { return nil }
        var manifest: String?
        var bundle: String?
        var values = ConvertValues(manifest: "", bundle: "")
        var seen: [Substring] = []
        while let token = tokens.next() {
            guard !token.isEmpty else { return nil }
            guard token.hasPrefix("-") else {
                guard manifest == nil else { return nil }
                manifest = token
                continue
            }
            let (name, attached) = RuncSpellingParse.nameAndValue(token)
            guard name == "--grant" || !seen.contains(name) else { return nil }
            seen.append(name)
            switch name {
            case "--yes", "--json":
                guard attached == nil else { return nil }
                if name == "--yes" { values.yes = true } else { values.json = true }
            case "--bundle", "--rootfs", "--data", "--grant", "--state-dir", "--device-root", "--owner", "--on-violation":
                guard let value = tokens.value(attached: attached) else { return nil }
                switch name {
                case "--bundle": bundle = value
                case "--rootfs": values.rootfs = value
                case "--data": values.data = value
                case "--grant": values.grants.append(value)
                case "--state-dir": values.stateDirectory = value
                case "--device-root": values.deviceRoot = value
                case "--owner": values.owner = value
                default: values.onViolation = value
                }
            default:
                return nil
            }
        }
        guard let manifest, let bundle else { return nil }
        values.manifest = manifest
        values.bundle = bundle
        return (globals, values)
    }
}
