package dev.easel.engine.plugins;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the host knows about one plugin: where it came from, its state, and the nodes it registered.
 *
 * @param id          the plugin id ({@code Plugin-Id}), or the file name when no descriptor could be read
 * @param version     the plugin version, or empty when unknown
 * @param description the plugin description, or empty
 * @param path        the jar, zip, folder or (development) module folder it was loaded from
 * @param state       started, disabled or failed
 * @param reason      why it failed, or null
 * @param nodes       the node names it registered (empty unless started)
 * @param problems    what went wrong with single nodes of a started pack (for example a name another pack owns)
 * @param development loaded from a module's build output, and reloaded when it is rebuilt
 * @param readBy      for a folder pack (not a plugin, such as a JavaScript pack), the id of the plugin whose
 *                    {@link dev.easel.node.FolderPackLoader} reads it; null for a plugin
 */
public record PackInfo(String id, String version, String description, Path path, PackState state, String reason,
                       List<String> nodes, List<String> problems, boolean development, String readBy) {

    public PackInfo {
        nodes = List.copyOf(nodes);
        problems = List.copyOf(problems);
    }

    /** The JSON form of {@code GET /api/plugins}. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("version", version);
        m.put("description", description);
        m.put("path", path.toString());
        m.put("state", state.label());
        m.put("reason", reason);
        m.put("nodes", nodes);
        m.put("problems", problems);
        m.put("development", development);
        m.put("read_by", readBy);
        return m;
    }

    /**
     * One line for people: {@code id 1.0.0 started (3 nodes)}, with the reader of a folder pack and the reason of a
     * failure.
     */
    @Override
    public String toString() {
        String head = id + (version.isEmpty() ? "" : " " + version) + (readBy == null ? "" : " (read by " + readBy
                + ")") + " " + state.label();
        return switch (state) {
            case STARTED -> head + " (" + nodes.size() + " node" + (nodes.size() == 1 ? "" : "s") + ")";
            case FAILED -> head + ": " + reason;
            case DISABLED -> head;
        };
    }
}
