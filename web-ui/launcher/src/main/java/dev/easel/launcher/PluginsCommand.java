package dev.easel.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.engine.cache.OutputCache;
import dev.easel.engine.plugins.PackInfo;
import dev.easel.engine.plugins.PluginHost;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.node.NodeEnvironment;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code easel plugins list|enable|disable|reload [ID]}: node packs loaded as plugins. With {@code --server} it asks
 * a running {@code easel serve} ({@code /api/plugins}); otherwise it works on the data folder's {@code plugins/}
 * (enable and disable are remembered there and apply at the next start; reload checks that the pack loads).
 */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = {"Lists, enables, disables or reloads node packs loaded as plugins from <data-dir>/plugins.",
                "ACTION is list, enable, disable or reload; all but list need a pack ID."},
        footer = {"%nExamples:", "  easel plugins list", "  easel plugins disable my-pack",
                "  easel plugins reload my-pack --server http://127.0.0.1:8188"})
final class PluginsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ACTION", description = "list, enable, disable or reload")
    String action;

    @Parameters(index = "1", arity = "0..1", paramLabel = "ID", description = "the pack (plugin) id")
    String id;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
            description = "The data folder whose plugins/ holds the packs (default: ./${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--server", paramLabel = "URL",
            description = "Change the packs of this running server instead (e.g. http://127.0.0.1:8188).")
    String server;

    @Option(names = "--token", description = "The server's access token, if it needs one.")
    String token;

    @Option(names = "--json", description = "Print JSON, as GET /api/plugins does.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!List.of("list", "enable", "disable", "reload").contains(action)) {
            err.println("error: ACTION must be list, enable, disable or reload, not " + action);
            return ExitCodes.USAGE;
        }
        if (!action.equals("list") && id == null) {
            err.println("error: " + action + " needs a pack ID (see easel plugins list)");
            return ExitCodes.USAGE;
        }
        return server != null ? remote(out, err) : local(out, err);
    }

    private int local(PrintWriter out, PrintWriter err) throws Exception {
        NodeEnvironment environment = Registries.environment(err, dataDir, null, List.of());
        NodeRegistry registry = Registries.load(err, environment);
        PrintWriter quiet = new PrintWriter(java.io.Writer.nullWriter());
        try (PluginHost host = Plugins.load(quiet, quiet, registry, environment, OutputCache.NONE, dataDir)) {
            List<PackInfo> packs;
            try {
                packs = switch (action) {
                    case "enable" -> List.of(host.enable(id));
                    case "disable" -> List.of(host.disable(id));
                    case "reload" -> List.of(host.reload(id));
                    default -> host.list();
                };
            } catch (NoSuchElementException | IllegalStateException e) {
                err.println("error: " + e.getMessage());
                return ExitCodes.USAGE;
            }
            print(out, packs);
        }
        return ExitCodes.SUCCESS;
    }

    private int remote(PrintWriter out, PrintWriter err) throws Exception {
        String base = server.replaceAll("/+$", "") + "/api/plugins";
        HttpRequest.Builder request = action.equals("list") ? HttpRequest.newBuilder(URI.create(base)).GET()
                : HttpRequest.newBuilder(URI.create(base + "/" + id + "/" + action))
                        .POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> reply;
        try {
            reply = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            err.println("error: cannot reach " + server + ": " + e);
            return ExitCodes.USAGE;
        }
        JsonNode body = new ObjectMapper().readTree(reply.body());
        if (reply.statusCode() >= 400) {
            err.println("error: " + (body.has("error") ? body.get("error").asText() : reply.body()));
            return ExitCodes.USAGE;
        }
        if (json) {
            out.println(body.toPrettyString());
        } else if (body.has("plugins")) {
            body.get("plugins").forEach(p -> out.println(line(p)));
        } else {
            out.println(body.has("id") ? line(body) : body.path("message").asText(reply.body()));
        }
        return ExitCodes.SUCCESS;
    }

    private void print(PrintWriter out, List<PackInfo> packs) throws Exception {
        if (json) {
            List<Object> list = new ArrayList<>();
            packs.forEach(p -> list.add(p.toJson()));
            out.println(new ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(java.util.Map.of("plugins", list)));
            return;
        }
        if (packs.isEmpty()) {
            out.println("no node packs in " + String.join(", ", Plugins.roots(dataDir).stream()
                    .map(Path::toString).toList()));
        }
        for (PackInfo pack : packs) {
            out.println(pack + (pack.nodes().isEmpty() ? "" : ": " + String.join(", ", pack.nodes())));
            pack.problems().forEach(problem -> out.println("  problem: " + problem));
        }
    }

    private static String line(JsonNode p) {
        StringBuilder s = new StringBuilder(p.path("id").asText()).append(' ').append(p.path("version").asText())
                .append(' ').append(p.path("state").asText());
        if (!p.path("reason").isNull() && p.has("reason")) {
            s.append(": ").append(p.get("reason").asText());
        }
        if (p.path("nodes").size() > 0) {
            List<String> nodes = new ArrayList<>();
            p.get("nodes").forEach(n -> nodes.add(n.asText()));
            s.append(": ").append(String.join(", ", nodes));
        }
        return s.toString();
    }
}
