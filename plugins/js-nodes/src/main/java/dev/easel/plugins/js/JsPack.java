package dev.easel.plugins.js;

import dev.easel.node.Node;
import dev.easel.node.NodePack;
import java.nio.file.Path;
import java.util.List;

/** A node pack written in JavaScript, loaded from a folder by {@link JsPackLoader}. */
public final class JsPack implements NodePack {

    private final JsPackManifest manifest;
    private final Path folder;
    private final List<Node> nodes;

    JsPack(JsPackManifest manifest, Path folder, List<Node> nodes) {
        this.manifest = manifest;
        this.folder = folder;
        this.nodes = List.copyOf(nodes);
    }

    @Override
    public String id() {
        return manifest.id();
    }

    @Override
    public List<Node> nodes() {
        return nodes;
    }

    public JsPackManifest manifest() {
        return manifest;
    }

    /** The folder the pack was loaded from. */
    public Path folder() {
        return folder;
    }
}
