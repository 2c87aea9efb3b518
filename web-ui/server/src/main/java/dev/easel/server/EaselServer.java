package dev.easel.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ser.DefaultSerializerProvider;
import dev.easel.engine.exec.Engine;
import dev.easel.engine.plugins.PluginHost;
import dev.easel.node.NodeEnvironment;
import dev.easel.node.RuntimeInfo;
import dev.easel.server.events.EventHub;
import dev.easel.server.events.WebSocketEndpoint;
import dev.easel.server.http.DefaultWorkflowRoute;
import dev.easel.server.http.FreeRoutes;
import dev.easel.server.http.HistoryRoutes;
import dev.easel.server.http.InfoRoutes;
import dev.easel.server.http.JobRoutes;
import dev.easel.server.http.PluginRoutes;
import dev.easel.server.http.ModelRoutes;
import dev.easel.server.http.PromptRoutes;
import dev.easel.server.http.QueueRoutes;
import dev.easel.server.http.RequestGuard;
import dev.easel.server.http.UploadRoutes;
import dev.easel.server.http.ViewRoutes;
import dev.easel.server.http.WorkflowConvertRoutes;
import dev.easel.server.recovery.OutputRollback;
import dev.easel.server.store.JobStore;
import io.javalin.Javalin;
import io.javalin.http.staticfiles.Location;
import io.javalin.config.JavalinConfig;
import io.javalin.config.SizeUnit;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The ComfyUI-compatible server: HTTP routes (each also under {@code /api}), the {@code /ws} WebSocket, the durable
 * job store and the one job runner. Loopback-only unless told otherwise; then an access token is required.
 */
public final class EaselServer implements AutoCloseable {

    /** Request bodies above this are refused (413); ComfyUI's default upload limit is 100 MB. */
    public static final long MAX_BODY_BYTES = 100L << 20;

    private final JobStore store;
    private final JobRunner runner;
    private final EventHub hub;
    private final Javalin app;
    private final BetweenJobs betweenJobs = new BetweenJobs();
    private final DefaultWorkflowRoute defaultWorkflow;

    /**
     * @param environment the data folders ({@code /view}, uploads) and model files ({@code /models}) the nodes see
     * @param token       the access token clients must present, or null for none (only sensible on loopback)
     */
    public EaselServer(Engine engine, RuntimeInfo runtime, NodeEnvironment environment, JobStore store, String token) {
        this(engine, runtime, environment, store, token, MemoryControl.NONE);
    }

    /** @param memory what {@code POST /free} unloads and frees, between jobs */
    public EaselServer(Engine engine, RuntimeInfo runtime, NodeEnvironment environment, JobStore store, String token,
            MemoryControl memory) {
        this(engine, runtime, environment, store, token, memory, null);
    }

    /**
     * @param plugins the node packs loaded as plugins ({@code /api/plugins}), or null for none; changes to them run
     *                between jobs, and {@code /object_info} follows them
     */
    public EaselServer(Engine engine, RuntimeInfo runtime, NodeEnvironment environment, JobStore store, String token,
            MemoryControl memory, PluginHost plugins) {
        ObjectMapper json = ServerJson.mapper();
        this.store = store;
        this.hub = new EventHub(json, store, Map.of("supports_preview_metadata", false, "max_upload_size",
                MAX_BODY_BYTES));
        this.runner = new JobRunner(engine, store, hub, json);
        MemoryRequests memoryRequests = new MemoryRequests(memory);
        runner.betweenJobs(() -> {
            memoryRequests.applyPending();
            betweenJobs.runPending();
        });
        FreeRoutes free = new FreeRoutes(memoryRequests, runner, json);
        ModelRoutes models = new ModelRoutes(environment.models(), json);
        JobRoutes jobs = new JobRoutes(store, json);
        PromptRoutes prompt = new PromptRoutes(engine, store, runner, hub, json);
        WorkflowConvertRoutes convert = new WorkflowConvertRoutes(engine.registry(), json);
        this.defaultWorkflow = new DefaultWorkflowRoute(json);
        QueueRoutes queue = new QueueRoutes(store, runner, hub, json);
        HistoryRoutes history = new HistoryRoutes(store, json);
        InfoRoutes info = new InfoRoutes(engine.registry(), environment, runtime, json, MAX_BODY_BYTES);
        ViewRoutes view = new ViewRoutes(environment.folders());
        PluginRoutes pluginRoutes = new PluginRoutes(plugins, betweenJobs, runner);
        if (plugins != null) {
            plugins.addChangeListener(() -> {
                info.refresh(); // also lets go of the old nodes the last rendering was compared with
                // Jackson caches serializers per class: drop them, or they would keep an unloaded pack's classes
                ((DefaultSerializerProvider) json.getSerializerProvider()).flushCachedSerializers();
                json.getTypeFactory().clearCache();
            });
        }
        UploadRoutes upload = new UploadRoutes(view, json, MAX_BODY_BYTES);
        boolean editor = EaselServer.class.getResource(EDITOR + "/index.html") != null; // the editor jar is there
        RequestGuard guard = new RequestGuard(token, MAX_BODY_BYTES, path -> editor && isEditorFile(path));
        this.app = Javalin.create(cfg -> {
            cfg.jsonMapper(new JavalinJackson(json, false));
            cfg.http.maxRequestSize = MAX_BODY_BYTES;
            cfg.jetty.multipartConfig.maxTotalRequestSize(MAX_BODY_BYTES, SizeUnit.BYTES); // multipart skips the above
            cfg.startup.showJavalinBanner = false;
            cfg.routes.before(guard::check);
            cfg.routes.wsBeforeUpgrade(guard::check); // HTTP before-handlers do not see WebSocket upgrades
            // Javalin's own refusals (413 from the size limit while a chunked body streams) as {"error": ...} JSON.
            cfg.routes.exception(HttpResponseException.class,
                    (e, ctx) -> ctx.status(e.getStatus()).json(Map.of("error", e.getMessage())));
            both(cfg, "get", "/prompt", prompt::get);
            both(cfg, "post", "/prompt", prompt::post);
            both(cfg, "get", "/queue", queue::get);
            both(cfg, "post", "/queue", queue::post);
            both(cfg, "post", "/interrupt", queue::interrupt);
            both(cfg, "get", "/history", history::list);
            both(cfg, "get", "/history/{prompt_id}", history::one);
            both(cfg, "post", "/history", history::post);
            both(cfg, "get", "/object_info", info::objectInfo);
            both(cfg, "get", "/object_info/{node_class}", info::objectInfoOne);
            both(cfg, "get", "/system_stats", info::systemStats);
            both(cfg, "get", "/features", info::features);
            both(cfg, "post", "/free", free::free);
            both(cfg, "get", "/models", models::folderTypes);
            both(cfg, "get", "/models/{folder}", models::list);
            both(cfg, "get", "/embeddings", models::embeddings);
            both(cfg, "get", "/view_metadata/{folder}", models::metadata);
            cfg.routes.post("/api/workflow/convert", convert::convert); // Easel's own: UI format to API format
            cfg.routes.get("/api/workflow/default", defaultWorkflow::get); // Easel's own: what the editor opens first
            cfg.routes.get("/api/jobs", jobs::list); // only under /api, as in ComfyUI
            cfg.routes.get("/api/jobs/{job_id}", jobs::one);
            cfg.routes.get("/api/plugins", pluginRoutes::list);
            cfg.routes.post("/api/plugins/{id}/enable", pluginRoutes::enable);
            cfg.routes.post("/api/plugins/{id}/disable", pluginRoutes::disable);
            cfg.routes.post("/api/plugins/{id}/reload", pluginRoutes::reload);
            both(cfg, "get", "/jobs/{prompt_id}/events", hub.eventStream()::handle);
            both(cfg, "get", "/view", view::view);
            both(cfg, "post", "/upload/image", upload::image);
            both(cfg, "post", "/upload/mask", upload::mask);
            WebSocketEndpoint ws = new WebSocketEndpoint(hub, json, runner::queueRemaining);
            for (String path : List.of("/ws", "/api/ws")) {
                cfg.routes.ws(path, ws::configure);
            }
            cfg.jetty.modifyWebSocketServletFactory(WebSocketEndpoint::limits);
            if (editor) {
                cfg.staticFiles.add(files -> {
                    files.hostedPath = "/";
                    files.directory = EDITOR;
                    files.location = Location.CLASSPATH;
                });
            }
        });
    }

    /** Where the browser editor's files are on the class path (the easel-editor jar); served at {@code /}. */
    private static final String EDITOR = "/web";

    /** The editor's files: the page and Vite's bundle (never an API route). */
    private static boolean isEditorFile(String path) {
        return path.equals("/") || path.equals("/index.html") || path.startsWith("/assets/") && !path.contains("..");
    }

    private static void both(JavalinConfig cfg, String method, String path, Handler handler) {
        for (String p : List.of(path, "/api" + path)) {
            if (method.equals("get")) {
                cfg.routes.get(p, handler);
            } else {
                cfg.routes.post(p, handler);
            }
        }
    }

    /** The API-format workflow {@code GET /api/workflow/default} serves, the editor's first graph (null: none). */
    public EaselServer defaultWorkflow(Path workflow) {
        defaultWorkflow.use(workflow);
        return this;
    }

    /**
     * Recovers jobs a previous process left running (first undoing the result files of their unfinished runs), starts
     * the runner and listens; returns the bound port.
     */
    public int start(String host, int port, JobStore.Recovery recovery) {
        OutputRollback.rollBackRunningJobs(store, recovery);
        store.recover(recovery, System.currentTimeMillis());
        runner.start();
        app.start(host, port);
        return app.port();
    }

    /**
     * Runs {@code work} on the job runner between jobs (after the running one), as plugin changes do; the development
     * pack watcher reloads through it.
     */
    public <T> java.util.concurrent.CompletableFuture<T> betweenJobs(java.util.function.Supplier<T> work) {
        java.util.concurrent.CompletableFuture<T> done = betweenJobs.submit(work);
        runner.wake();
        return done;
    }

    public EventHub events() {
        return hub;
    }

    @Override
    public void close() {
        hub.close();
        app.stop();
        runner.close();
    }
}
