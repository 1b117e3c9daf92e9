package dev.fanout.cli.deadletter;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "dead-letters", mixinStandardHelpOptions = true, description = "Dead letters.")
public final class DeadLettersCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 0;
    }
}
