package dev.easel.server;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodePack;
import dev.easel.node.NodeSchema;
import dev.easel.node.OutputFiles;
import dev.easel.node.Preview;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A few plain-Java nodes for server tests: a constant, a slow node with progress, a node sending large previews, a
 * failing node, an output node and an output node that writes a file.
 */
final class ServerTestNodes implements NodePack {

    @Override
    public String id() {
        return "server-test";
    }

    @Override
    public List<Node> nodes() {
        return List.of(
                node(NodeSchema.builder("Const").required(InputSpec.integer("value").min(-1000).max(1000))
                        .output("INT").build(), (in, ctx) -> NodeOutput.of(in.getLong("value"))),
                node(NodeSchema.builder("Slow").required(InputSpec.integer("steps").min(1).max(1000))
                        .required(InputSpec.integer("millis").min(0).max(10_000))
                        .required(InputSpec.of("value", "INT")).output("INT").build(), (in, ctx) -> {
                            long steps = in.getLong("steps");
                            for (long i = 1; i <= steps; i++) {
                                Thread.sleep(in.getLong("millis"));
                                ctx.progress(i, steps);
                            }
                            return NodeOutput.of(in.getLong("value"));
                        }),
                node(NodeSchema.builder("Previews").required(InputSpec.integer("steps").min(1).max(1000))
                        .required(InputSpec.integer("kib").min(1).max(4096))
                        .required(InputSpec.integer("millis").min(0).max(10_000))
                        .required(InputSpec.of("value", "INT")).output("INT").build(), (in, ctx) -> {
                            long steps = in.getLong("steps");
                            for (long i = 1; i <= steps; i++) {
                                Thread.sleep(in.getLong("millis"));
                                byte[] image = new byte[(int) in.getLong("kib") << 10];
                                image[0] = (byte) i;
                                ctx.progress(i, steps, new Preview(Preview.Format.JPEG, image));
                            }
                            return NodeOutput.of(in.getLong("value"));
                        }),
                node(NodeSchema.builder("Fail").required(InputSpec.of("value", "INT")).output("INT").build(),
                        (in, ctx) -> {
                            throw new IllegalStateException("this node always fails");
                        }),
                node(NodeSchema.builder("Show").required(InputSpec.of("value", "*")).outputNode().build(),
                        (in, ctx) -> NodeOutput.none().withUi("text", List.of(String.valueOf(in.get("value"))))),
                node(NodeSchema.builder("WriteText").required(InputSpec.of("value", "INT"))
                        .required(InputSpec.integer("millis").min(0).max(10_000)).outputNode().build(),
                        ServerTestNodes::writeText));
    }

    /**
     * An output node that writes {@code <prompt id>\n} to the first free {@code text_<counter>.txt} in output/ as
     * SaveImage writes its PNGs (through {@link OutputFiles} and the run's journal), taking {@code millis} to write.
     */
    private static NodeOutput writeText(NodeInputs in, NodeContext ctx) throws Exception {
        Path folder = ctx.folders().output();
        Files.createDirectories(folder);
        long millis = in.getLong("millis");
        for (int counter = 1; ; counter++) {
            String name = String.format("text_%05d.txt", counter);
            if (Files.exists(folder.resolve(name))) {
                continue;
            }
            boolean written = OutputFiles.createNew(folder.resolve(name), ctx.outputJournal(), out -> {
                out.write((ctx.promptId() + "\n").getBytes(StandardCharsets.UTF_8));
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            if (written) {
                return NodeOutput.none().withUi("files", List.of(name));
            }
        }
    }

    @FunctionalInterface
    interface Body {
        NodeOutput run(NodeInputs inputs, NodeContext context) throws Exception;
    }

    private static Node node(NodeSchema schema, Body body) {
        return new Node() {
            @Override
            public NodeSchema schema() {
                return schema;
            }

            @Override
            public NodeOutput execute(NodeInputs inputs, NodeContext context) throws Exception {
                return body.run(inputs, context);
            }
        };
    }
}
