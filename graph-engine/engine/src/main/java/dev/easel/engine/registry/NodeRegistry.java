package dev.easel.engine.registry;

import dev.easel.node.Node;
import dev.easel.node.NodeEnvironment;
import dev.easel.node.NodePack;
import dev.easel.node.NodeSchema;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The node types the engine can run, registered pack by pack. A pack that throws while listing its nodes, or that
 * declares a node name another pack already owns, is reported and skipped; the other packs keep working.
 * Thread-safe: registration replaces an immutable snapshot that readers see atomically.
 */
public final class NodeRegistry {

    /** A pack (or one of its nodes) that could not be registered, and why. */
    public record Problem(String packId, String nodeName, String reason) {
        @Override
        public String toString() {
            return "node pack '" + packId + "'" + (nodeName == null ? "" : ", node '" + nodeName + "'") + ": " + reason;
        }
    }

    private volatile Map<String, RegisteredNode> nodes = Map.of();
    private final List<Problem> problems = Collections.synchronizedList(new ArrayList<>());

    /** A registry filled with every {@link NodePack} that {@link ServiceLoader} finds on the class path. */
    public static NodeRegistry fromClassPath(ClassLoader loader) {
        return fromClassPath(loader, NodeEnvironment.defaults());
    }

    /** The same, for an Easel instance with the given folders and model files. */
    public static NodeRegistry fromClassPath(ClassLoader loader, NodeEnvironment environment) {
        NodeRegistry registry = new NodeRegistry();
        ServiceLoader<NodePack> packs = ServiceLoader.load(NodePack.class, loader);
        var it = packs.iterator();
        while (true) {
            NodePack pack;
            try {
                if (!it.hasNext()) {
                    break;
                }
                pack = it.next();
            } catch (ServiceConfigurationError e) {
                registry.problems.add(new Problem("?", null, "could not be loaded: " + e.getMessage()));
                continue;
            }
            registry.register(pack, environment);
        }
        return registry;
    }

    /**
     * Registers every node of {@code pack}. Nodes whose schema fails or whose name is taken are reported in
     * {@link #problems()} and skipped.
     *
     * @return the number of nodes registered
     */
    public synchronized int register(NodePack pack) {
        return register(pack, NodeEnvironment.defaults());
    }

    /** Registers {@code pack} for an Easel instance with the given folders and model files. */
    public synchronized int register(NodePack pack, NodeEnvironment environment) {
        return register(pack, environment, safePackId(pack));
    }

    /**
     * Registers {@code pack} under the owner id {@code packId} (a plugin registers every pack it ships under its
     * plugin id, so that disabling or reloading the plugin removes exactly its nodes).
     */
    public synchronized int register(NodePack pack, NodeEnvironment environment, String packId) {
        List<Node> packNodes;
        try {
            packNodes = List.copyOf(pack.nodes(environment));
        } catch (RuntimeException | LinkageError e) {
            problems.add(new Problem(packId, null, "failed while listing its nodes: " + e));
            return 0;
        }
        Map<String, RegisteredNode> next = new LinkedHashMap<>(nodes);
        int added = 0;
        for (Node node : packNodes) {
            NodeSchema schema;
            try {
                schema = node.schema();
            } catch (RuntimeException | LinkageError e) {
                problems.add(new Problem(packId, node.getClass().getName(), "schema() failed: " + e));
                continue;
            }
            RegisteredNode existing = next.get(schema.name());
            if (existing != null) {
                problems.add(new Problem(packId, schema.name(),
                        "the name is already owned by node pack '" + existing.packId() + "'"));
                continue;
            }
            next.put(schema.name(), new RegisteredNode(node, schema, packId));
            added++;
        }
        nodes = Collections.unmodifiableMap(next);
        return added;
    }

    /**
     * Removes every node and every reported problem of the pack {@code packId} (for disabling or reloading a pack).
     *
     * @return the nodes that were removed
     */
    public synchronized List<RegisteredNode> unregisterPack(String packId) {
        Map<String, RegisteredNode> next = new LinkedHashMap<>(nodes);
        List<RegisteredNode> removed = new ArrayList<>();
        next.values().removeIf(n -> {
            boolean owned = n.packId().equals(packId);
            if (owned) {
                removed.add(n);
            }
            return owned;
        });
        nodes = Collections.unmodifiableMap(next);
        problems.removeIf(p -> p.packId().equals(packId));
        return removed;
    }

    public Optional<RegisteredNode> find(String classType) {
        return classType == null ? Optional.empty() : Optional.ofNullable(nodes.get(classType));
    }

    /** Every registered node, in registration order. */
    public Collection<RegisteredNode> all() {
        return nodes.values();
    }

    public List<Problem> problems() {
        synchronized (problems) {
            return List.copyOf(problems);
        }
    }

    /** The problems reported for the pack {@code packId}. */
    public List<Problem> problems(String packId) {
        return problems().stream().filter(p -> p.packId().equals(packId)).toList();
    }

    private static String safePackId(NodePack pack) {
        try {
            String id = pack.id();
            return id == null || id.isBlank() ? pack.getClass().getName() : id;
        } catch (RuntimeException e) {
            return pack.getClass().getName();
        }
    }
}
