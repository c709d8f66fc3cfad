/// The cgroup v2 device controller is an eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE) attached to the cgroup. This
/// builds it from the same final rule state the v1 files get, the way runc's devicefilter does: one block per
/// exception, each "if the device matches, return the exception's verdict", then the default verdict.
///
/// Context (struct bpf_cgroup_dev_ctx): u32 access_type = (access << 16) | type; u32 major; u32 minor.
/// type: 1 block, 2 char. access: 1 mknod, 2 read, 4 write.
enum DeviceProgram {
    /// One struct bpf_insn: opcode, dst/src registers, 16-bit offset, 32-bit immediate.
    struct Instruction: Equatable {
        var code: UInt8
        var dst: UInt8 = 0
        var src: UInt8 = 0
        var offset: Int16 = 0
        var immediate: Int32 = 0

        var bytes: [UInt8] {
            let off = UInt16(bitPattern: offset)
            let imm = UInt32(bitPattern: immediate)
            return [code, (src << 4) | (dst & 0x0f), UInt8(off & 0xff), UInt8(off >> 8),
                    UInt8(imm & 0xff), UInt8((imm >> 8) & 0xff), UInt8((imm >> 16) & 0xff), UInt8(imm >> 24)]
        }
    }

    // Opcodes (include/uapi/linux/bpf.h, bpf_common.h).
    static let loadWord: UInt8 = 0x61      // BPF_LDX | BPF_MEM | BPF_W
    static let and32Immediate: UInt8 = 0x54 // BPF_ALU | BPF_AND | BPF_K
    static let rsh32Immediate: UInt8 = 0x74 // BPF_ALU | BPF_RSH | BPF_K
    static let mov32Register: UInt8 = 0xbc  // BPF_ALU | BPF_MOV | BPF_X
    static let mov64Immediate: UInt8 = 0xb7 // BPF_ALU64 | BPF_MOV | BPF_K
    static let jneImmediate: UInt8 = 0x55   // BPF_JMP | BPF_JNE | BPF_K
    static let jneRegister: UInt8 = 0x5d    // BPF_JMP | BPF_JNE | BPF_X
    static let jeqImmediate: UInt8 = 0x15   // BPF_JMP | BPF_JEQ | BPF_K
    static let exit: UInt8 = 0x95           // BPF_JMP | BPF_EXIT

    static func accessBits(_ access: String) -> Int32 {
        (access.contains("m") ? 1 : 0) | (access.contains("r") ? 2 : 0) | (access.contains("w") ? 4 : 0)
    }

    static func instructions(for state: DeviceRules.State) -> [Instruction] {
        // r2 = type, r3 = requested access, r4 = major, r5 = minor. r1 (the context) is free afterwards.
        var program: [Instruction] = [
            Instruction(code: loadWord, dst: 2, src: 1, offset: 0),
            Instruction(code: and32Immediate, dst: 2, immediate: 0xffff),
            Instruction(code: loadWord, dst: 3, src: 1, offset: 0),
            Instruction(code: rsh32Immediate, dst: 3, immediate: 16),
            Instruction(code: loadWord, dst: 4, src: 1, offset: 4),
            Instruction(code: loadWord, dst: 5, src: 1, offset: 8),
        ]
        for rule in state.exceptions {
            // Jumps are built with offset 0 and pointed at the next block once its length is known.
            var block: [Instruction] = []
            var jumps: [Int] = []
            if rule.type != "a" {
                jumps.append(block.count)
                block.append(Instruction(code: jneImmediate, dst: 2, immediate: rule.type == "b" ? 1 : 2))
            }
            if let major = rule.major {
                jumps.append(block.count)
                block.append(Instruction(code: jneImmediate, dst: 4, immediate: Int32(truncatingIfNeeded: major)))
            }
            if let minor = rule.minor {
                jumps.append(block.count)
                block.append(Instruction(code: jneImmediate, dst: 5, immediate: Int32(truncatingIfNeeded: minor)))
            }
            let bits = accessBits(rule.access)
            if bits != 7 {
                block.append(Instruction(code: mov32Register, dst: 1, src: 3))
                block.append(Instruction(code: and32Immediate, dst: 1, immediate: bits))
                jumps.append(block.count)
                if state.defaultAllow {
                    // A deny exception applies when any requested access is denied (the v1 kernel's partial match).
                    block.append(Instruction(code: jeqImmediate, dst: 1, immediate: 0))
                } else {
                    // An allow exception applies only when every requested access is allowed.
                    block.append(Instruction(code: jneRegister, dst: 1, src: 3))
                }
            }
            block.append(Instruction(code: mov64Immediate, dst: 0, immediate: state.defaultAllow ? 0 : 1))
            block.append(Instruction(code: exit))
            for jump in jumps { block[jump].offset = Int16(block.count - jump - 1) }
            program += block
        }
        program.append(Instruction(code: mov64Immediate, dst: 0, immediate: state.defaultAllow ? 1 : 0))
        program.append(Instruction(code: exit))
        return program
    }
}
