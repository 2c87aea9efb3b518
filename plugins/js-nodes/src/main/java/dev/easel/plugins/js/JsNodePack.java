package dev.easel.plugins.js;

import dev.easel.node.Node;
import dev.easel.node.NodePack;
import java.util.List;
import org.pf4j.Extension;

/**
 * The JavaScript node pack ({@value #ID}): the inline {@link JavaScriptExpression} node. Packs written in JavaScript
 * are folder packs the plugin host reads through {@link JsFolderPacks}.
 *
 * <p>A PF4J extension for the plugin host, and listed in {@code META-INF/services} so it also works on a plain class
 * path.
 */
@Extension
public final class JsNodePack implements NodePack {

    /** The pack's id. */
    public static final String ID = "easel-js";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<Node> nodes() {
        return List.of(new JavaScriptExpression());
    }
}
