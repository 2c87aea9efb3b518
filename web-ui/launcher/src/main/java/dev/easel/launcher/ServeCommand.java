package dev.easel.launcher;

import dev.easel.caching.PersistableFactories;
import dev.easel.engine.cache.OutputCache;
import dev.easel.engine.exec.Engine;
import dev.easel.engine.exec.EngineSettings;
import dev.easel.engine.plugins.DevPackWatcher;
import dev.easel.engine.plugins.PackInfo;
import dev.easel.engine.plugins.PluginHost;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.node.NodeEnvironment;
import dev.easel.node.RuntimeInfo;
import dev.easel.server.EaselServer;
import dev.easel.server.store.JobStore;
import dev.easel.server.store.SqliteJobStore;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code easel serve}: the ComfyUI-compatible HTTP and WebSocket server over the data folder, with the job queue and
 * history kept in {@code <data-dir>/jobs.db} so they survive restarts.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Starts the ComfyUI-compatible API server (HTTP + WebSocket) on 127.0.0.1:8188.",
                "Queued jobs and history are kept in <data-dir>/jobs.db and survive a restart; a job that was running "
                        + "when the server stopped is run again (--recovery requeue) or marked failed (fail)."})
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "8188", description = "The port (default: ${DEFAULT-VALUE}, as ComfyUI).")
    int port;

    @Option(names = "--listen", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "The address to listen on (default: ${DEFAULT-VALUE}). Any other address requires an access "
                    + "token: --token, or one is generated and printed.")
    String listen;

    @Option(names = "--token", description = "The access token clients must send (Authorization: Bearer <token>).")
    String token;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
            description = "The data folder (default: ./${DEFAULT-VALUE}); temp/ is emptied at start.")
    Path dataDir;

    @Option(names = "--extra-model-paths", paramLabel = "FILE", description = "Also use this extra_model_paths.yaml.")
    List<Path> extraModelPaths = new ArrayList<>();

    @Option(names = "--recovery", defaultValue = "requeue",
            description = "What happens to a job that was running when the server last stopped: requeue or fail "
                    + "(default: ${DEFAULT-VALUE}).")
    String recovery;

    @Option(names = "--cache-gib", paramLabel = "GIB", defaultValue = "8",
            description = "Disk cache budget in GiB (default: ${DEFAULT-VALUE}).")
    double cacheGib;

    @Option(names = "--dev-plugin", paramLabel = "MODULE",
            description = "Load a node pack from this Maven module's build output (target/classes) and reload it "
                    + "whenever it is rebuilt (repeatable).")
    List<Path> devPlugins = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        JobStore.Recovery mode;
        try {
            mode = JobStore.Recovery.valueOf(recovery.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            err.println("error: --recovery must be requeue or fail, not " + recovery);
            return ExitCodes.USAGE;
        }
        String accessToken = token;
        if (accessToken == null && !InetAddress.getByName(listen).isLoopbackAddress()) {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            accessToken = HexFormat.of().formatHex(random);
            out.println("access token (send it as Authorization: Bearer <token>): " + accessToken);
        }
        NodeEnvironment environment = Registries.environment(err, dataDir, null, extraModelPaths);
        NodeRegistry registry = Registries.load(err, environment);
        DataFolders folders = DataFolders.prepareOrReport(err, dataDir, null);
        if (folders == null) {
            return ExitCodes.USAGE;
        }
        RuntimeInfo runtime = Runtimes.torch();
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        List<DevPackWatcher> watchers = new ArrayList<>();
        PersistableFactories factories = PersistableFactories.fromClassPath();
        try (OutputCache cache = Caches.open(dataDir, cacheGib, err, factories);
                PluginHost plugins = Plugins.load(err, out, registry, environment, cache, dataDir);
                Engine engine = new Engine(registry, cache, runtime, folders, EngineSettings.defaults());
                EaselServer server = new EaselServer(engine, runtime, environment,
                        SqliteJobStore.open(dataDir.resolve("jobs.db")),
                        accessToken, new ServeMemory(runtime, cache), plugins)) {
            // the packs' factories now, and again after every (re)load, so the disk tier rebuilds their values
            PackFactories.addFrom(registry, factories);
            plugins.addChangeListener(() -> PackFactories.addFrom(registry, factories));
            for (Path module : devPlugins) {
                PackInfo pack;
                try {
                    pack = plugins.loadDevelopmentPack(module);
                } catch (IllegalArgumentException e) {
                    err.println("error: --dev-plugin " + module + ": " + e.getMessage());
                    return ExitCodes.USAGE;
                }
                Plugins.report(err, List.of(pack));
                out.println("development pack " + pack + ", reloaded when " + module + " is rebuilt");
                // reloads run between jobs, like the /api/plugins changes
                watchers.add(new DevPackWatcher(module, java.time.Duration.ofMillis(500), () -> server.betweenJobs(
                        () -> plugins.reload(pack.id())).whenComplete((p, e) -> {
                            err.println(e == null ? "reloaded development pack " + p
                                    : "error: reloading " + module + " failed: " + e);
                            err.flush();
                        })).start());
            }
            server.defaultWorkflow(Distribution.defaultWorkflow().orElse(null));
            int bound = server.start(listen, port, mode);
            out.println("Easel is listening on http://" + listen + ":" + bound + " (" + runtime.device() + ")");
            out.flush();
            // Ctrl-C / SIGTERM: stop taking requests, interrupt the running job (it stays in the store and is
            // recovered on the next start), and close the store before the JVM exits.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stopped.countDown();
                try {
                    closed.await(15, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "easel-serve-stop"));
            stopped.await();
        } finally {
            watchers.forEach(DevPackWatcher::close);
            closed.countDown();
        }
        return 0;
    }
}
