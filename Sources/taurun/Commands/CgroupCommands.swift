import ArgumentParser
import TaurunLinux
import TaurunOCI
import TaurunRuntime
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

struct PauseCommand: TaurunVerb {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Freeze every process of a container.")
    @ParentCommand var parent: Taurun
    @Argument(help: "Container id.") var id: String
    mutating func execute(_ runtime: Runtime) throws { try runtime.pause(id: id) }
}

struct ResumeCommand: TaurunVerb {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Thaw a paused container.")
    @ParentCommand var parent: Taurun
    @Argument(help: "Container id.") var id: String
    mutating func execute(_ runtime: Runtime) throws { try runtime.resume(id: id) }
}

struct PsCommand: TaurunVerb {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "List a container's processes.")
    @ParentCommand var parent: Taurun
    @Option(name: [.short, .long], help: "table or json.") var format: String = "table"
    @Argument(help: "Container id.") var id: String
    @Argument(parsing: .captureForPassthrough, help: "Options passed to ps(1) (default -ef).") var psOptions: [String] = []

    mutating func execute(_ runtime: Runtime) throws {
        let pids = try runtime.processes(id: id)
        switch format {
        case "json":
            print("[" + pids.map(String.init).joined(separator: ",") + "]")
        case "table":
            let output = try PsTable.run(options: psOptions.isEmpty ? ["-ef"] : psOptions)
            print(PsTable.filter(output, pids: Set(pids)), terminator: "")
        default:
            throw ValidationError("invalid format option \"\(format)\": use table or json")
        }
    }
}

/// `ps` with the host's ps(1), keeping the header and the lines whose PID column is one of the container's.
enum PsTable {
    static func run(options: [String]) throws -> String {
        // ps's own complaints (a bad option) go to the user; the whole table is kept, however many processes.
        let ps = Subprocess("ps", arguments: ["ps"] + options, environment: nil, errors: .inherited,
                            outputLimit: .max, searchesPATH: true)
        let result: Subprocess.Result
        do { result = try ps.run() } catch {
            switch error {
            case .pipe(let error): throw error
            case .spawn(let error): throw ValidationError("ps: \(errnoText(error.errno.rawValue))")
            }
        }
        guard result.exitCode == 0 else { throw ValidationError("ps \(options.joined(separator: " ")) failed") }
        return String(decoding: result.output, as: UTF8.self)
    }

    static func filter(_ output: String, pids: Set<Int32>) -> String {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        guard let header = lines.first else { return "" }
        guard let pidColumn = header.split(separator: " ").firstIndex(of: "PID") else { return output }
        var out = String(header) + "\n"
        for line in lines.dropFirst() where !line.isEmpty {
            let fields = line.split(separator: " ")
            if fields.count > pidColumn, let pid = Int32(fields[pidColumn]), pids.contains(pid) { out += line + "\n" }
        }
        return out
    }
}

struct UpdateCommand: TaurunVerb {
    static let configuration = CommandConfiguration(commandName: "update", abstract: "Change a container's resource limits.")
    @ParentCommand var parent: Taurun
    @Option(name: [.short, .long], help: "JSON file with linux.resources (- for stdin).") var resources: String?
    @Option(name: .customLong("blkio-weight")) var blkioWeight: UInt16?
    @Option(name: .customLong("cpu-period")) var cpuPeriod: UInt64?
    @Option(name: .customLong("cpu-quota")) var cpuQuota: Int64?
    @Option(name: .customLong("cpu-rt-period")) var cpuRtPeriod: UInt64?
    @Option(name: .customLong("cpu-rt-runtime")) var cpuRtRuntime: Int64?
    @Option(name: .customLong("cpu-share")) var cpuShare: UInt64?
    @Option(name: .customLong("cpuset-cpus")) var cpusetCpus: String?
    @Option(name: .customLong("cpuset-mems")) var cpusetMems: String?
    @Option(name: .customLong("memory")) var memory: String?
    @Option(name: .customLong("memory-reservation")) var memoryReservation: String?
    @Option(name: .customLong("memory-swap")) var memorySwap: String?
    @Option(name: .customLong("pids-limit")) var pidsLimit: Int64?
    @Argument(help: "Container id.") var id: String

    mutating func execute(_ runtime: Runtime) throws {
        var r = LinuxResources()
        if let path = resources {
            let bytes = path == "-" ? try Files.readAll(fd: 0, path: "stdin") : try Files.read(path)
            r = try LinuxResources.decode(bytes, file: path == "-" ? "stdin" : path)
        }
        if let v = blkioWeight { r.blockIO = r.blockIO ?? LinuxBlockIO(); r.blockIO?.weight = v }
        func cpu(_ set: (inout LinuxCPU) -> Void) { var c = r.cpu ?? LinuxCPU(); set(&c); r.cpu = c }
        if let v = cpuPeriod { cpu { $0.period = v } }
        if let v = cpuQuota { cpu { $0.quota = v } }
        if let v = cpuRtPeriod { cpu { $0.realtimePeriod = v } }
        if let v = cpuRtRuntime { cpu { $0.realtimeRuntime = v } }
        if let v = cpuShare { cpu { $0.shares = v } }
        if let v = cpusetCpus { cpu { $0.cpus = v } }
        if let v = cpusetMems { cpu { $0.mems = v } }
        func mem(_ set: (inout LinuxMemory) -> Void) { var m = r.memory ?? LinuxMemory(); set(&m); r.memory = m }
        if let v = memory { let b = try ByteSize.parse(v, flag: "--memory"); mem { $0.limit = b } }
        if let v = memoryReservation { let b = try ByteSize.parse(v, flag: "--memory-reservation"); mem { $0.reservation = b } }
        if let v = memorySwap { let b = try ByteSize.parse(v, flag: "--memory-swap"); mem { $0.swap = b } }
        if let v = pidsLimit { r.pids = LinuxPids(limit: v) }
        try runtime.update(id: id, resources: r)
    }
}

/// "256m", "1G", "1048576", "-1" → bytes (docker/runc RAMInBytes: binary units, case-insensitive, optional b).
enum ByteSize {
    static func parse(_ text: String, flag: String) throws -> Int64 {
        if text == "-1" { return -1 }
        var s = text.lowercased()
        if s.hasSuffix("b") { s.removeLast() }
        var multiplier: Int64 = 1
        if let last = s.last, let shift = ["k": 10, "m": 20, "g": 30, "t": 40, "p": 50][String(last)] {
            multiplier = Int64(1) << Int64(shift)
            s.removeLast()
        }
        guard let n = Int64(s), n >= 0 else { throw ValidationError("invalid value \"\(text)\" for \(flag)") }
        let (v, overflow) = n.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { throw ValidationError("value \"\(text)\" for \(flag) is too large") }
        return v
    }
}

struct EventsCommand: TaurunVerb {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "Print container stats and OOM events as JSON lines.")
    @ParentCommand var parent: Taurun
    @Flag(help: "Print stats once and exit.") var stats = false
    @Option(help: "Stats interval, e.g. 5s or 500ms.") var interval: String = "5s"
    @Argument(help: "Container id.") var id: String

    mutating func execute(_ runtime: Runtime) throws {
        // runc's event shape: type, id, then the data (the stats with their keys sorted, as state.json's are).
        func emit(_ type: String, _ data: (any Encodable)?) throws {
            var members: [JSONValue.Member] = [("type", .string(type)), ("id", .string(id))]
            if let data { members.append(("data", encodeJSONValue(data).sortedByKey)) }
            // Written straight to fd 1 so each line reaches a pipe at once (print buffers).
            let bytes = JSONWriter(indent: nil, keyOrder: .asBuilt).write(.object(members)) + [0x0A]
            try? Files.writeAll(fd: 1, bytes, path: "stdout")
        }
        if stats {
            try emit("stats", try runtime.stats(id: id))
            return
        }
        let periodMs = try Interval.milliseconds(interval)
        var lastOOM = try runtime.oomKills(id: id) ?? 0
        var sinceStats: Int64 = 0
        // One process polling at a short step: OOM kills show up within 100 ms, stats every interval.
        while !runtime.isStopped(id: id) {
            if let ooms = try? runtime.oomKills(id: id), ooms > lastOOM {
                lastOOM = ooms
                try emit("oom", nil)
            }
            if sinceStats >= periodMs {
                if let s = try? runtime.stats(id: id) { try emit("stats", s) }
                sinceStats = 0
            }
            MonotonicClock.sleep(milliseconds: 100)
            sinceStats += 100
        }
    }
}

enum Interval {
    static func milliseconds(_ text: String) throws -> Int64 {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            if let n = Int64(text.dropLast(suffix.count)), n > 0 { return n * factor }
        }
        throw ValidationError("invalid interval \"\(text)\": use e.g. 5s or 500ms")
    }
}
