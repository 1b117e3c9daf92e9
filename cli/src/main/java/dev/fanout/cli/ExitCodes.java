package dev.fanout.cli;

/** Process exit codes of every command (also in {@code fanout --help} and docs/cli.md). */
public final class ExitCodes {
    private ExitCodes() {}

    /** Everything asked for was done. */
    public static final int OK = 0;
    /** The command ran to the end, but something could not be read or sent; the summary says what. */
    public static final int INCOMPLETE = 1;
    /** Bad arguments or configuration, found before any work (picocli's own usage code too). */
    public static final int USAGE = 2;
    /** Stopped early: the target refused the credentials, or retries were exhausted. */
    public static final int FAILED = 3;
}
