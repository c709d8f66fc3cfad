// linux.seccomp (OCI) -> libseccomp -> classic BPF bytes, in the parent process (the crun fast path): the container
// child then only has to call SeccompLoader.load right before execve, with no library and no allocation.
//
// Behaviour copied from runc/crun where the spec leaves room:
// - a syscall name this libseccomp does not know is skipped (runc), and reported in `skippedSyscalls`;
// - a rule whose action equals the default action is skipped (libseccomp refuses it with EACCES; runc skips it);
// - all conditions of one rule must hold (one seccomp_rule_add_array), except when two conditions test the same
//   argument: libseccomp cannot AND those, so, like runc, each condition becomes its own rule (OR);
// - SCMP_FLTATR_CTL_NNP is 0: the runtime sets no_new_privs itself when process.noNewPrivileges asks for it;
// - seccomp(2) flags are computed here, not through libseccomp attributes, because the child loads the bytes itself;
// - native syscalls newer than the newest one the profile names get ENOSYS (runc's patchbpf; SeccompENOSYSStub).

import CSeccomp
import TaurunOCI

public enum SeccompCompiler {
    /// `monitoredDefault`: the default action may be SCMP_ACT_NOTIFY because taurun's own security monitor serves the
    /// listener (a filter the runtime derived from a Tau app's profile). Never for a config.json as written: there the
    /// listener is an outside agent that cannot be relied on to answer the runtime's own last syscalls.
    public static func compile(_ seccomp: LinuxSeccomp, monitoredDefault: Bool = false) throws(SeccompError) -> SeccompProgram {
        let defaultAction = try checkedDefaultAction(seccomp, monitoredDefault: monitoredDefault)
        let filter = try filterContext(seccomp, defaultAction: defaultAction)
        var added = AddedRules(usesNotify: seccomp.defaultAction == .notify)
        for (ruleIndex, rule) in (seccomp.syscalls ?? []).enumerated() {
            try add(rule, path: "\(root).syscalls[\(ruleIndex)]", to: filter, defaultAction: defaultAction, noting: &added)
        }
        let flags = loadFlags(seccomp.flags ?? [], usesNotify: added.usesNotify)
        let bytes = try instructions(of: filter, defaultAction: seccomp.defaultAction, largestSyscall: added.largestSyscall)
        return SeccompProgram(instructions: bytes, loadFlags: flags, usesNotify: added.usesNotify, skippedSyscalls: added.skipped)
    }

    private static let root = "linux.seccomp"

    /// The profile's default action as libseccomp's, refused where the spec or the listener forbids it.
    private static func checkedDefaultAction(_ seccomp: LinuxSeccomp, monitoredDefault: Bool) throws(SeccompError) -> UInt32 {
        if seccomp.defaultAction == .notify && !monitoredDefault {
            // The kernel would have to ask the listener about every syscall, including the ones the listener needs.
            throw SeccompError(path: "\(root).defaultAction", message: "SCMP_ACT_NOTIFY cannot be the default action")
        }
        if seccomp.defaultErrnoRet != nil && seccomp.defaultAction != .errno && seccomp.defaultAction != .trace {
            throw SeccompError(
                path: "\(root).defaultErrnoRet",
                message: "defaultErrnoRet is only valid when defaultAction is SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not \(seccomp.defaultAction.rawValue)")
        }
        return try SeccompVocabulary.action(seccomp.defaultAction, errnoRet: seccomp.defaultErrnoRet, errnoPath: "\(root).defaultErrnoRet")
    }

    /// An empty filter with the default action, its attributes and the profile's architectures.
    private static func filterContext(_ seccomp: LinuxSeccomp, defaultAction: UInt32) throws(SeccompError) -> SeccompFilterContext {
        let filter = try SeccompFilterContext(defaultAction: defaultAction, path: "\(root).defaultAction")
        try filter.setAttribute(SCMP_FLTATR_CTL_NNP, 0, path: root)
        // A binary tree over syscall numbers instead of a linear chain: large allow-lists (the default profile has
        // ~300 names) cost O(log n) comparisons per syscall instead of O(n).
        try filter.setAttribute(SCMP_FLTATR_CTL_OPTIMIZE, 2, path: root)
        for (index, arch) in (seccomp.architectures ?? []).enumerated() {
            let path = "\(root).architectures[\(index)]"
            guard let token = SeccompVocabulary.archToken(arch) else {
                throw SeccompError(path: path, message: "architecture \(arch.rawValue) is not supported by this libseccomp")
            }
            try filter.addArchitecture(token, path: path)
        }
        return filter
    }

    /// What the rules added so far come to, for the program and its load flags.
    private struct AddedRules {
        var usesNotify: Bool
        var skipped: [String] = []
        var largestSyscall: Int32?
    }

    /// One syscall rule into the filter: every name this libseccomp knows, unless its action is the default one.
    private static func add(
        _ rule: LinuxSyscall, path: String, to filter: borrowing SeccompFilterContext, defaultAction: UInt32, noting added: inout AddedRules
    ) throws(SeccompError) {
        let action = try SeccompVocabulary.action(rule.action, errnoRet: rule.errnoRet, errnoPath: "\(path).errnoRet")
        if rule.names.isEmpty {
            throw SeccompError(path: "\(path).names", message: "a syscall rule must name at least one syscall")
        }
        let conditions = try argumentConditions(rule.args ?? [], path: path)
        let numbers = rule.names.map { seccomp_syscall_resolve_name($0) }
        for (name, number) in zip(rule.names, numbers) {
            if number == __NR_SCMP_ERROR {
                if !added.skipped.contains(name) { added.skipped.append(name) }
            } else if number >= 0 {
                // Negative numbers are libseccomp's pseudo-syscalls: names that exist only on other architectures.
                added.largestSyscall = max(added.largestSyscall ?? number, number)
            }
        }
        if action == defaultAction {
            return
        }
        if rule.action == .notify {
            added.usesNotify = true
        }
        for (nameIndex, (name, number)) in zip(rule.names, numbers).enumerated() where number != __NR_SCMP_ERROR {
            let namePath = "\(path).names[\(nameIndex)]"
            if conditions.sameArgumentTestedTwice {
                for condition in conditions.list {
                    try filter.addRule(action: action, syscall: number, conditions: [condition], name: name, path: namePath)
                }
            } else {
                try filter.addRule(action: action, syscall: number, conditions: conditions.list, name: name, path: namePath)
            }
        }
    }

    /// The filter as BPF bytes, behind the ENOSYS prologue where it applies, refused past the kernel's length.
    private static func instructions(
        of filter: borrowing SeccompFilterContext, defaultAction: LinuxSeccompAction, largestSyscall: Int32?
    ) throws(SeccompError) -> [UInt8] {
        var bytes = try filter.exportBPF(path: root)
        if bytes.isEmpty || bytes.count % SeccompProgram.instructionSize != 0 {
            throw SeccompError(path: root, message: "libseccomp exported \(bytes.count) bytes, not whole BPF instructions")
        }
        if SeccompENOSYSStub.applies(to: defaultAction) {
            bytes = SeccompENOSYSStub.prologue(largestSyscall: largestSyscall) + bytes
        }
        let count = bytes.count / SeccompProgram.instructionSize
        if count > SeccompKernelABI.maxInstructions {
            throw SeccompError(path: root, message: "the filter has \(count) BPF instructions; the kernel accepts at most \(SeccompKernelABI.maxInstructions)")
        }
        return bytes
    }

    private struct Conditions {
        var list: [scmp_arg_cmp] = []
        var sameArgumentTestedTwice = false
    }

    private static func argumentConditions(_ args: [LinuxSeccompArg], path: String) throws(SeccompError) -> Conditions {
        var conditions = Conditions()
        var seen: Set<UInt32> = []
        for (argIndex, arg) in args.enumerated() {
            if arg.index >= SeccompKernelABI.argumentCount {
                throw SeccompError(path: "\(path).args[\(argIndex)].index", message: "argument index \(arg.index) is out of range 0-5")
            }
            if !seen.insert(arg.index).inserted {
                conditions.sameArgumentTestedTwice = true
            }
            // For MASKED_EQ, value is the mask and valueTwo the value the masked argument must equal
            // (libseccomp's datum_a and datum_b); other operators compare against value and ignore valueTwo.
            conditions.list.append(
                scmp_arg_cmp(arg: arg.index, op: SeccompVocabulary.compare(arg.op), datum_a: arg.value, datum_b: arg.valueTwo ?? 0))
        }
        return conditions
    }

    /// seccomp(2) flags for the profile's `flags`, plus NEW_LISTENER when a rule notifies.
    private static func loadFlags(_ flags: [LinuxSeccompFlag], usesNotify: Bool) -> UInt32 {
        var value: UInt32 = 0
        for flag in flags {
            value |= SeccompVocabulary.flag(flag)
        }
        if usesNotify {
            value |= SeccompKernelABI.flagNewListener
            // The kernel refuses TSYNC together with NEW_LISTENER unless TSYNC_ESRCH says how to report a thread
            // that could not be synchronised.
            if value & SeccompKernelABI.flagTsync != 0 {
                value |= SeccompKernelABI.flagTsyncEsrch
            }
        } else {
            // WAIT_KILLABLE_RECV only changes how a notifying syscall waits for the listener; with no listener it
            // means nothing, and the kernel rejects it without NEW_LISTENER (EINVAL), so it is dropped.
            value &= ~SeccompKernelABI.flagWaitKillableRecv
        }
        return value
    }
}
