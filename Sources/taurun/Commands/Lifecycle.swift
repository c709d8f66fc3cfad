import ArgumentParser
import TaurunOCI
import TaurunRuntime

struct StartCommand: LifecycleCommand, ParsedAlone {
    static let configuration = CommandConfiguration.parsedAlone("start", abstract: "Start a created container.")
    @Argument(help: "Container id.") var id: String

    var request: LifecycleRequest { .start(id: id) }
}

struct KillCommand: LifecycleCommand, ParsedAlone {
    static let configuration = CommandConfiguration.parsedAlone("kill", abstract: "Send a signal to a container's process.")
    @Flag(name: [.short, .long], help: "Signal every process of the container.") var all = false
    @Argument(help: "Container id.") var id: String
    @Argument(help: "Signal name or number (default SIGTERM).") var signal: String = "SIGTERM"

    var request: LifecycleRequest { .kill(id: id, signal: signal, all: all) }
}

struct DeleteCommand: LifecycleCommand, ParsedAlone {
    static let configuration = CommandConfiguration.parsedAlone("delete", abstract: "Delete a container and everything taurun made for it.")
    @Flag(name: [.short, .long], help: "Kill the container first if it still runs.") var force = false
    @Argument(help: "Container id.") var id: String

    var request: LifecycleRequest { .delete(id: id, force: force) }
}

struct StateCommand: LifecycleCommand, ParsedAlone {
    static let configuration = CommandConfiguration.parsedAlone("state", abstract: "Print a container's state as JSON.")
    @Argument(help: "Container id.") var id: String

    var request: LifecycleRequest { .state(id: id) }
}

struct ListCommand: TaurunVerb {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List containers.")
    @ParentCommand var parent: Taurun
    @Option(name: [.short, .long], help: "table or json.") var format: ListFormat = .table
    @Flag(name: [.short, .long], help: "Print only container ids.") var quiet = false

    enum ListFormat: String, ExpressibleByArgument { case table, json }

    mutating func execute(_ runtime: Runtime) throws {
        let states = try runtime.list()
        if quiet {
            for s in states { print(s.id) }
            return
        }
        switch format {
        case .json:
            print(String(decoding: State.listJSON(states), as: UTF8.self), terminator: "")
        case .table:
            let header = ["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]
            let rows = states.map { [$0.id, String($0.pid ?? 0), $0.status.rawValue, $0.bundle, $0.created ?? "", $0.owner ?? ""] }
            print(Table.render([header] + rows))
        }
    }
}

/// runc's tabwriter layout: each column padded to its widest cell plus 3, at least 12 wide.
enum Table {
    static func render(_ rows: [[String]]) -> String {
        guard let first = rows.first else { return "" }
        var widths = [Int](repeating: 0, count: first.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: max(12, widths[i] + 3) - cell.count)
            }.joined()
        }.joined(separator: "\n")
    }
}
