package dev.easel.launcher;

import dev.easel.engine.registry.NodeRegistry;
import java.io.PrintWriter;

/** Builds the node registry from the class path and reports its problems as warnings. */
final class Registries {

    private Registries() {
    }

    static NodeRegistry load(PrintWriter err) {
        NodeRegistry registry = NodeRegistry.fromClassPath(EaselCli.class.getClassLoader());
        for (NodeRegistry.Problem problem : registry.problems()) {
            err.println("warning: " + problem);
        }
        err.flush();
        return registry;
    }
}
