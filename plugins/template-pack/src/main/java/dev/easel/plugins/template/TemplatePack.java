package dev.easel.plugins.template;

import dev.easel.node.Node;
import dev.easel.node.NodePack;
import java.util.List;
import org.pf4j.Extension;

/**
 * The pack: Easel finds it through PF4J's {@link Extension} index (written by PF4J's annotation processor at compile
 * time) and registers its nodes under the plugin id.
 */
@Extension
public final class TemplatePack implements NodePack {

    @Override
    public String id() {
        return "easel-template-pack";
    }

    @Override
    public List<Node> nodes() {
        return List.of(new Greeting(), new MultiplyAdd());
    }
}
