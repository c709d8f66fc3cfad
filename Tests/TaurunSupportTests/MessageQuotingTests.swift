import Testing
import TaurunSupport

/// The one message quoter: what a hostile value in a config, a manifest or an audit record becomes on a terminal.
@Suite struct MessageQuotingTests {
    @Test func controlCharactersNeverReachTheTerminalAsSuch() {
        // ESC (C0), CSI (C1: a one-byte escape in many terminals), DEL, the Unicode line separator.
        #expect(terminalSafe("a\u{1B}[2Jb\u{9B}31mc\u{7F}d\u{2028}e") == "a\\u{1b}[2Jb\\u{9b}31mc\\u{7f}d\\u{2028}e")
        #expect(terminalSafe("one\ntwo\r\tthree") == "one\\ntwo\\r\\tthree")
        // Quotes stay as they are in a message, and are escaped between quotes.
        #expect(terminalSafe("needs \"network\"") == "needs \"network\"")
        #expect(messageQuoted("a\"b\\c", limit: 10) == "\"a\\\"b\\\\c\"")
    }

    @Test func longValuesAreCutWithAnEllipsisInsideTheQuotes() {
        #expect(messageQuoted("abcdef", limit: 6) == "\"abcdef\"")
        #expect(messageQuoted("abcdefg", limit: 6) == "\"abcdef…\"")
        #expect(messageQuoted("\n\n\n", limit: 2) == "\"\\n\\n…\"")
    }
}
