import Testing

/// The parse-path comparisons share CLIMain.parsedGlobals, which ArgumentParser's parse sets: they run one at a
/// time, the suites inside this one included.
@Suite(.serialized) struct CLIParsePathTests {}
