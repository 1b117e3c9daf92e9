package dev.fanout.cli.query;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "query", mixinStandardHelpOptions = true, description = "DuckDB SQL over the archive.")
public final class QueryCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 0;
    }
}
