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

/// jsonQuoted is the quoter of config.json values and keys in validation errors (`linux.namespaces[0].type: unknown
/// namespace type "…"`), which the CLI prints to the terminal as they are.
@Suite struct JSONQuotedTests {
    @Test func c1ControlsAreEscapedLikeC0() {
        // CSI (U+009B) opens an escape sequence in many terminals, as ESC [ does.
        #expect(jsonQuoted("x\u{9B}31my") == "\"x\\u009b31my\"")
        #expect(jsonQuoted("a\u{1B}[2Jb\u{7F}\u{85}") == "\"a\\u001b[2Jb\\u007f\\u0085\"")
        // Printable text after the C1 block (U+00A0 on) stays as it is.
        #expect(jsonQuoted("café\u{A0}ü") == "\"café\u{A0}ü\"")
    }
}
