import CLinux

/// bpf(2), for the cgroup v2 device programs.
public enum BPF {
    /// `command` with `attributes` as the zero-padded union bpf_attr; what the kernel returns (-1 with errno).
    public static func call(_ command: Int32, _ attributes: inout [UInt8]) -> Int {
        attributes.withUnsafeMutableBytes { raw -> Int in
            guard let base = raw.baseAddress else { return -1 }
            return tr_bpf(command, base, UInt32(raw.count))
        }
    }
}
