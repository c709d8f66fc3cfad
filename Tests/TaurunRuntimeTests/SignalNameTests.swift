import Testing
@testable import TaurunRuntime

@Suite struct SignalNameTests {
    @Test(arguments: [("KILL", 9), ("SIGKILL", 9), ("kill", 9), ("9", 9), ("TERM", 15), ("SIGUSR1", 10), ("HUP", 1),
                      ("RTMIN", 34), ("RTMIN+3", 37), ("RTMAX", 64), ("RTMAX-2", 62), ("64", 64), ("WINCH", 28)])
    func parses(_ text: String, _ number: Int32) {
        #expect(SignalName.parse(text) == number)
    }

    @Test(arguments: ["", "0", "65", "-9", "SIGNOPE", "KILLL", "9x", "RTMIN+31", "RTMAX-"])
    func refuses(_ text: String) {
        #expect(SignalName.parse(text) == nil)
    }
}
