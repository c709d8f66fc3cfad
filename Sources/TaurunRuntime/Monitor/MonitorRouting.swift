import TaurunOCI

/// How learn (its path calls) and an app with asked devices (its opens) let the monitor see calls the bundle allows
/// outright: the calls are taken out of the unconditional allow rules and routed to the monitor, which lets them run
/// (CONTINUE) when it has nothing to decide. Calls the bundle refuses, or allows only for some arguments, keep their
/// rules. One copy, so the two filters cannot drift apart.
enum MonitorRouting {
    /// The rules of `monitored` in their encounter order (the seccomp program cache keys on it) with `calls` taken out
    /// of the unconditional allows, and those calls in the order met. `narrow` may take more out of each such rule
    /// first; a rule left with no name is dropped.
    static func divert(_ calls: Set<String>, from monitored: LinuxSeccomp,
                       narrowing narrow: (inout LinuxSyscall) -> Void = { _ in }) -> (kept: [LinuxSyscall], diverted: [String]) {
        var kept: [LinuxSyscall] = []
        var diverted: [String] = []
        for rule in monitored.syscalls ?? [] {
            guard rule.action == .allow, rule.args?.isEmpty ?? true else {
                kept.append(rule)
                continue
            }
            var rest = rule
            narrow(&rest)
            for name in rest.names where calls.contains(name) && !diverted.contains(name) { diverted.append(name) }
            rest.names.removeAll { calls.contains($0) }
            if !rest.names.isEmpty { kept.append(rest) }
        }
        return (kept, diverted)
    }

    /// The `calls` that `divert` routes to the monitor because the bundle allows them outright: the monitor lets
    /// exactly these run (CONTINUE). One the bundle refuses reaches the monitor as a refusal.
    static func allowedOutright(_ calls: Set<String>, in monitored: LinuxSeccomp) -> Set<String> {
        var names: Set<String> = []
        for rule in monitored.syscalls ?? [] where rule.action == .allow && (rule.args?.isEmpty ?? true) {
            names.formUnion(rule.names.filter { calls.contains($0) })
        }
        return names
    }
}
