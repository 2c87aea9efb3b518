package dev.easel.node;

import java.util.List;
import org.pf4j.ExtensionPoint;

/**
 * A set of nodes shipped together: a node pack. Packs are discovered as PF4J extensions (and, on a plain classpath,
 * through {@link java.util.ServiceLoader}), so the same pack class works in both.
 */
public interface NodePack extends ExtensionPoint {

    /** A stable, unique id such as {@code "easel-core"}; used in error messages and listings. */
    String id();

    /** The nodes of this pack. */
    List<Node> nodes();

    /**
     * The nodes of this pack for an Easel instance; called once when the pack is registered. Packs whose COMBO lists
     * depend on the instance (model files, input images) override this; the default ignores the environment.
     */
    default List<Node> nodes(NodeEnvironment environment) {
        return nodes();
    }
}
