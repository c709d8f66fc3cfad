import Testing
@testable import taurun

/// An error is one line on stderr and in --log: the message's lines trimmed of spaces, empty ones dropped, "; "
/// between them.
@Suite struct OneLineTests {
    @Test func linesAreTrimmedAndJoined() {
        #expect(CLIMain.oneLine("plain message") == "plain message")
        #expect(CLIMain.oneLine("  first \n\n  second line  \r third") == "first; second line; third")
        #expect(CLIMain.oneLine("a\r\nb") == "a; b")
        #expect(CLIMain.oneLine("\n \n") == "")
        #expect(CLIMain.oneLine("") == "")
    }

    @Test func otherBytesStayAsTheyAre() {
        #expect(CLIMain.oneLine(" é\tü \nñ") == "é\tü; ñ")
        #expect(CLIMain.oneLine("a  b") == "a  b")
    }
}
