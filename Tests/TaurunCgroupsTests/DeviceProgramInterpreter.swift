@testable import TaurunCgroups

/// A small interpreter of exactly the instructions DeviceProgram builds: the tests run a program on one request and
/// check its verdict without loading it into a kernel.
extension DeviceProgram {
    /// The program's verdict on one request (1 allow, 0 deny); nil at an instruction it does not know, or without an exit.
    static func evaluate(_ program: [Instruction], type: Character, major: UInt32, minor: UInt32, access: String) -> Int64? {
        var registers = [UInt64](repeating: 0, count: 11)
        let context: [UInt32] = [(UInt32(accessBits(access)) << 16) | (type == "b" ? 1 : 2), major, minor]
        var pc = 0
        while pc < program.count {
            let instruction = program[pc]
            let dst = Int(instruction.dst)
            let src = Int(instruction.src)
            let immediate = UInt64(UInt32(bitPattern: instruction.immediate))
            switch instruction.code {
            case loadWord: registers[dst] = UInt64(context[Int(instruction.offset) / 4])
            case and32Immediate: registers[dst] = (registers[dst] & immediate) & 0xffff_ffff
            case rsh32Immediate: registers[dst] = (registers[dst] & 0xffff_ffff) >> immediate
            case mov32Register: registers[dst] = registers[src] & 0xffff_ffff
            case mov64Immediate: registers[dst] = UInt64(bitPattern: Int64(instruction.immediate))
            case jneImmediate: if registers[dst] != immediate { pc += Int(instruction.offset) }
            case jneRegister: if registers[dst] != registers[src] { pc += Int(instruction.offset) }
            case jeqImmediate: if registers[dst] == immediate { pc += Int(instruction.offset) }
            case exit: return Int64(bitPattern: registers[0])
            default: return nil
            }
            pc += 1
        }
        return nil
    }
}
