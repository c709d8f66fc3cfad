/// How `taurun learn` prints its report: readable sections (only those with something in them), or one JSON object
/// with the same content for tools (`--json`).

import TaurunSupport

extension LearnReport {
    /// How the run ended, and what became of the manifest change.
    public struct Run: Equatable, Sendable {
        public var app: String
        public var manifestPath: String
        public var format: ManifestFormat
        /// The app's exit status (128+N: killed by signal N).
        public var exitCode: Int32
        /// Ctrl-C (or SIGTERM/SIGHUP) ended the run.
        public var interrupted: Bool
        /// The unified diff of the manifest change; empty when there is none.
        public var diff: String
        /// --write applied the change to the manifest.
        public var written: Bool
        /// Why the change could not be made on the manifest's text (or written): it is then named, not diffed.
        public var editError: String? = nil

        public init(app: String, manifestPath: String, format: ManifestFormat, exitCode: Int32, interrupted: Bool,
                    diff: String, written: Bool) {
            self.app = app
            self.manifestPath = manifestPath
            self.format = format
            self.exitCode = exitCode
            self.interrupted = interrupted
            self.diff = diff
            self.written = written
        }
    }

    public func text(_ run: Run) -> String {
        let ending = run.interrupted ? "was ended (interrupted)" : "exited with status \(run.exitCode)"
        var out = "taurun learn: \(run.app) \(ending)\n"
        func uses(_ title: String, _ list: [Use]) {
            guard !list.isEmpty else { return }
            out += title + "\n"
            for use in list { out += "  \(use.permission.rawValue): \(use.evidence.joined(separator: ", "))\n" }
        }
        uses("used, not requested by the manifest:", missing)
        if !refused.isEmpty {
            let grant = "taurun grant \(run.app) " + refused.map(\.permission.rawValue).joined(separator: " ")
            uses("used, requested, refused by the recorded decision (the manifest is right; \(grant) would allow it):", refused)
        }
        uses("used, requested and granted:", used)
        if !unused.isEmpty {
            out += "requested, never used in this run: " + unused.map(\.rawValue).joined(separator: " ") + "\n"
        }
        if !notAllowed.isEmpty {
            out += "not allowed to any app (no manifest change helps):\n"
            for refusal in notAllowed { out += "  \(refusal.call): \(refusal.reason)\n" }
        }
        if !resources.isEmpty {
            out += "resources (peak of the limit it ran under):\n"
            for resource in resources { out += "  " + resource.line + "\n" }
        }
        if change.isEmpty {
            out += "no manifest change needed\n"
        } else if let editError = run.editError {
            out += "manifest change that lets it run: \(change.summary); not made: \(editError)\n"
        } else {
            out += "manifest change that lets it run:\n" + run.diff
            if run.written { out += "wrote \(run.manifestPath)\n" }
        }
        return out
    }

    public func json(_ run: Run) -> String {
        func uses(_ list: [Use]) -> JSONValue {
            .array(list.map {
                .object([("permission", .string($0.permission.rawValue)), ("evidence", .array($0.evidence.map(JSONValue.string)))])
            })
        }
        func number<T: BinaryInteger>(_ value: T?) -> JSONValue { value.map { .number(String($0)) } ?? .null }
        var changed: [JSONValue.Member] = []
        if let memory = change.memoryBytes { changed.append(("memory", .string(SizeParser.render(memory)))) }
        if let pids = change.pids { changed.append(("pids", .number(String(pids)))) }
        let tree = JSONValue.object([
            ("app", .string(run.app)),
            ("manifest", .string(run.manifestPath)),
            ("format", .string(run.format.rawValue)),
            ("exit_code", .number(String(run.exitCode))),
            ("interrupted", .bool(run.interrupted)),
            ("missing", uses(missing)),
            ("refused", uses(refused)),
            ("used", uses(used)),
            ("unused", .array(unused.map { .string($0.rawValue) })),
            ("not_allowed", .array(notAllowed.map {
                .object([("call", .string($0.call)), ("reason", .string($0.reason))])
            })),
            ("resources", .array(resources.map {
                .object([
                    ("resource", .string($0.kind.rawValue)), ("peak", number($0.peak)),
                    ("limit", .number(String($0.limit))), ("reached", .bool($0.reached)),
                    ("proposed", number($0.proposed)), ("at_ceiling", .bool($0.atCeiling)),
                ])
            })),
            ("change", .object([
                ("add_permissions", .array(change.addPermissions.map { .string($0.rawValue) })),
                ("resources", .object(changed)),
            ])),
            ("diff", .string(run.diff)),
            ("written", .bool(run.written)),
            ("edit_error", run.editError.map(JSONValue.string) ?? .null),
        ])
        return String(decoding: JSONWriter.textFile(tree), as: UTF8.self)
    }
}

extension LearnReport.Resource {
    /// "memory: peak 3.1M of 1G", "pids: peak 9 of 8, reached (forks refused); proposed 16".
    var line: String {
        func amount(_ value: Int64) -> String { kind == .memory ? ByteCount.rounded(value) : String(value) }
        var line = "\(kind.rawValue): peak \(peak.map(amount) ?? "not reported by this kernel") of \(amount(limit))"
        if reached {
            line += kind == .memory ? ", reached (the OOM killer killed it)" : ", reached (forks refused)"
            if let proposed { line += "; proposed \(amount(proposed)) (learn cannot see past a limit: run it again)" }
            if atCeiling { line += "; that is this host's ceiling, no manifest can raise it" }
        }
        return line
    }
}
