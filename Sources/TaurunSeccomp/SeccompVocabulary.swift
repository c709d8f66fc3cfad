// Translation of the OCI seccomp vocabulary (actions, operators, architectures, flags) into libseccomp and
// kernel values. Every translation that can fail names the JSON path of the value it was given.

import CSeccomp
import TaurunOCI

enum SeccompVocabulary {
    /// The libseccomp action for an OCI action and its optional errnoRet.
    /// `errnoRet` defaults to EPERM for ERRNO and TRACE (config-linux.md: "If not specified its default value is
    /// EPERM"; runc uses the same data for TRACE). Any other action given an errnoRet is an error, as the spec requires.
    static func action(_ action: LinuxSeccompAction, errnoRet: UInt32?, errnoPath: String) throws(SeccompError) -> UInt32 {
        switch action {
        case .errno: return SeccompKernelABI.actionErrnoBase | (try returnData(errnoRet, path: errnoPath))
        case .trace: return SeccompKernelABI.actionTraceBase | (try returnData(errnoRet, path: errnoPath))
        // SCMP_ACT_KILL is libseccomp's historic name for killing the thread (SECCOMP_RET_KILL).
        case .kill, .killThread: return try withoutErrnoRet(SeccompKernelABI.actionKillThread, action, errnoRet, errnoPath)
        case .killProcess: return try withoutErrnoRet(SeccompKernelABI.actionKillProcess, action, errnoRet, errnoPath)
        case .trap: return try withoutErrnoRet(SeccompKernelABI.actionTrap, action, errnoRet, errnoPath)
        case .allow: return try withoutErrnoRet(SeccompKernelABI.actionAllow, action, errnoRet, errnoPath)
        case .log: return try withoutErrnoRet(SeccompKernelABI.actionLog, action, errnoRet, errnoPath)
        case .notify: return try withoutErrnoRet(SeccompKernelABI.actionNotify, action, errnoRet, errnoPath)
        }
    }

    /// The 16-bit SECCOMP_RET_DATA of ERRNO/TRACE; EPERM when the profile gives none.
    private static func returnData(_ errnoRet: UInt32?, path: String) throws(SeccompError) -> UInt32 {
        let data = errnoRet ?? SeccompKernelABI.eperm
        guard data <= SeccompKernelABI.actionDataMask else {
            throw SeccompError(path: path, message: "\(data) does not fit the 16-bit seccomp return data")
        }
        return data
    }

    /// The spec: "When the action doesn't support an errno, the runtime MUST print and error and fail."
    private static func withoutErrnoRet(
        _ value: UInt32, _ action: LinuxSeccompAction, _ errnoRet: UInt32?, _ path: String
    ) throws(SeccompError) -> UInt32 {
        if let errnoRet {
            throw SeccompError(path: path, message: "errnoRet \(errnoRet) is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not \(action.rawValue)")
        }
        return value
    }

    static func compare(_ op: LinuxSeccompOperator) -> scmp_compare {
        switch op {
        case .notEqual: return SCMP_CMP_NE
        case .lessThan: return SCMP_CMP_LT
        case .lessEqual: return SCMP_CMP_LE
        case .equalTo: return SCMP_CMP_EQ
        case .greaterEqual: return SCMP_CMP_GE
        case .greaterThan: return SCMP_CMP_GT
        case .maskedEqual: return SCMP_CMP_MASKED_EQ
        }
    }

    /// libseccomp's token for an OCI architecture, or nil when this libseccomp does not know it.
    /// OCI spells architectures as libseccomp's macro names (SCMP_ARCH_X86_64); seccomp_arch_resolve_name wants
    /// the lower-case suffix ("x86_64"), which is how runc's libseccomp-golang translates them too.
    static func archToken(_ arch: Arch) -> UInt32? {
        let prefix = "SCMP_ARCH_"
        guard arch.rawValue.hasPrefix(prefix) else { return nil }
        let name = String(arch.rawValue.dropFirst(prefix.count)).lowercased()
        let token = seccomp_arch_resolve_name(name)
        return token == 0 ? nil : token
    }

    static func flag(_ flag: LinuxSeccompFlag) -> UInt32 {
        switch flag {
        case .tsync: return SeccompKernelABI.flagTsync
        case .log: return SeccompKernelABI.flagLog
        case .specAllow: return SeccompKernelABI.flagSpecAllow
        case .waitKillableRecv: return SeccompKernelABI.flagWaitKillableRecv
        }
    }
}
