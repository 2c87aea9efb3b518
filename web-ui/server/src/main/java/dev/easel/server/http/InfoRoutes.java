package dev.easel.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.engine.schema.ObjectInfo;
import dev.easel.node.NodeEnvironment;
import dev.easel.node.RuntimeInfo;
import io.javalin.http.Context;
import java.lang.management.ManagementFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the server knows about itself: {@code /object_info} (kept rendered, served with an ETag so a client that has
 * it gets a 304), {@code /object_info/{class}} (unknown class: 200 {}), {@code /system_stats} and {@code /features}.
 *
 * <p>{@code /object_info} follows the folders its COMBO lists come from (model files, input images): when a request
 * comes and the last check is older than {@link #RECHECK_NANOS}, a fingerprint of those folders ({@link ComboSources})
 * is compared with that of the rendering, and only a difference renders it again.
 */
public final class InfoRoutes {

    /** How often, at most, a request checks whether the rendered lists are still current. */
    public static final long RECHECK_NANOS = 500_000_000L;

    private static final System.Logger LOG = System.getLogger("easel.server");

    private final NodeRegistry registry;
    private final ComboSources sources;
    private final RuntimeInfo runtime;
    private final ObjectMapper json;
    private final long maxUploadBytes;
    private byte[] objectInfo;
    private String objectInfoTag;
    /** The fingerprint of the sources when it was rendered. */
    private List<Object> renderedFrom;
    private long checkedAt;

    /** @param environment where the COMBO lists come from (model files, input images) */
    public InfoRoutes(NodeRegistry registry, NodeEnvironment environment, RuntimeInfo runtime, ObjectMapper json,
            long maxUploadBytes) {
        this.registry = registry;
        this.sources = new ComboSources(registry, environment);
        this.runtime = runtime;
        this.json = json;
        this.maxUploadBytes = maxUploadBytes;
        refresh();
    }

    /** Re-renders {@code /object_info} now (after the set of nodes changed). */
    public synchronized void refresh() {
        List<Object> dependencies = sources.fingerprint();
        try {
            objectInfo = json.writeValueAsBytes(ObjectInfo.render(registry));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render object_info", e);
        }
        objectInfoTag = "\"" + sha256(objectInfo) + "\"";
        renderedFrom = dependencies;
        checkedAt = System.nanoTime();
    }

    /** Re-renders when the check is due and what the rendering depended on has changed. */
    private synchronized void refreshIfChanged() {
        long now = System.nanoTime();
        if (now - checkedAt < RECHECK_NANOS) {
            return;
        }
        checkedAt = now;
        try {
            if (!sources.fingerprint().equals(renderedFrom)) {
                refresh();
            }
        } catch (RuntimeException e) { // a folder that cannot be listed: keep serving the last rendering
            LOG.log(System.Logger.Level.WARNING, "cannot re-render object_info", e);
        }
    }

    public void objectInfo(Context ctx) {
        byte[] body;
        String tag;
        refreshIfChanged();
        synchronized (this) {
            body = objectInfo;
            tag = objectInfoTag;
        }
        ctx.header("ETag", tag);
        ctx.header("Cache-Control", "no-cache");
        if (tag.equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        ctx.contentType("application/json").result(body);
    }

    public void objectInfoOne(Context ctx) {
        String name = ctx.pathParam("node_class");
        ctx.json(registry.find(name).map(node -> Map.of(name, ObjectInfo.render(node))).orElse(Map.of()));
    }

    public void systemStats(Context ctx) {
        Map<String, Object> system = new LinkedHashMap<>();
        system.put("os", System.getProperty("os.name", "").toLowerCase());
        system.put("ram_total", runtime.hostTotalBytes());
        system.put("ram_free", freeMemory());
        system.put("comfyui_version", "easel");
        system.put("python_version", "java " + System.getProperty("java.version"));
        system.put("pytorch_version", "libtorch (JavaCPP)");
        system.put("embedded_python", false);
        system.put("argv", List.of("easel", "serve"));
        Map<String, Object> device = new LinkedHashMap<>();
        device.put("name", runtime.device());
        device.put("type", runtime.device().startsWith("cuda") ? "cuda" : "cpu");
        device.put("index", 0);
        device.put("vram_total", 0);
        device.put("vram_free", Math.max(0, runtime.deviceFreeBytes()));
        device.put("torch_vram_total", 0);
        device.put("torch_vram_free", 0);
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("system", system);
        reply.put("devices", List.of(device));
        ctx.json(reply);
    }

    public void features(Context ctx) {
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("supports_preview_metadata", false);
        flags.put("max_upload_size", maxUploadBytes);
        ctx.json(flags);
    }

    /** Free physical memory of the machine, or -1 when the JVM cannot tell. */
    private static long freeMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getFreeMemorySize();
        }
        return -1;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
