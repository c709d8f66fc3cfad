import ArgumentParser
import TaurunOCI
import TaurunRuntime

struct FeaturesCommand: TaurunVerb {
    static let configuration = CommandConfiguration(commandName: "features", abstract: "Print what this runtime supports (JSON).")
    @ParentCommand var parent: Taurun

    mutating func execute(_ runtime: Runtime) throws {
        print(String(decoding: RuntimeFeatures.document().encodedJSON(), as: UTF8.self))
    }
}
