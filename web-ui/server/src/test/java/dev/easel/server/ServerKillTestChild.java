package dev.easel.server;

import dev.easel.server.store.SqliteJobStore;
import java.nio.file.Path;

/**
 * The server process of {@link ServerKillTest}: the test server over the data folder {@code args[0]} (re-queueing the
 * job a killed predecessor left running), printing {@code RUNNING <jobs left running>} and then {@code PORT <n>} once
 * it listens, then serving until killed.
 */
public final class ServerKillTestChild {

    private ServerKillTestChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        try (SqliteJobStore store = SqliteJobStore.open(Path.of(args[0]).resolve("jobs.db"))) {
            System.out.println("RUNNING " + store.runningJobs().size()); // what the kill interrupted
        }
        TestServer server = TestServer.startWithWriteThroughCache(Path.of(args[0])); // as easel serve's cache
        System.out.println("PORT " + server.base.substring(server.base.lastIndexOf(':') + 1));
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
