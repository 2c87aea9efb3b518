package dev.easel.bench;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodePack;
import dev.easel.node.NodeSchema;
import dev.easel.runtime.TensorRef;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The benchmark's own nodes, registered only in the benchmark's registry: trivial ones that measure the engine and
 * not the work (B2), and small libtorch ones for the native-memory loop.
 */
final class BenchNodes implements NodePack {

    @Override
    public String id() {
        return "bench";
    }

    @Override
    public List<Node> nodes() {
        return List.of(
                node(NodeSchema.builder("BenchAdd").required(InputSpec.integer("a")).required(InputSpec.integer("b"))
                        .output("INT"), (in, ctx) -> NodeOutput.of(in.getLong("a") + in.getLong("b"))),
                node(NodeSchema.builder("BenchSink").required(InputSpec.of("value", "*")).outputNode(),
                        (in, ctx) -> NodeOutput.none().withUi("text", List.of(String.valueOf(in.get("value"))))),
                node(NodeSchema.builder("BenchTensor").required(InputSpec.integer("seed")).output("TENSOR"),
                        (in, ctx) -> {
                            Tensor t = torch.randn(1, 4, 64, 64).mul(new Scalar(1.0 + in.getLong("seed") % 7));
                            return NodeOutput.of(TensorRef.of(t));
                        }),
                node(NodeSchema.builder("BenchScale").required(InputSpec.of("x", "TENSOR")).output("TENSOR"),
                        (in, ctx) -> {
                            Tensor x = in.get("x", TensorRef.class).tensor();
                            return NodeOutput.of(TensorRef.of(x.mul(new Scalar(2.0)).add(new Scalar(1.0))));
                        }),
                node(NodeSchema.builder("BenchMean").required(InputSpec.of("x", "TENSOR")).outputNode(),
                        (in, ctx) -> NodeOutput.none().withUi("text", List.of(
                                Double.toString(in.get("x", TensorRef.class).tensor().mean().item().toDouble())))));
    }

    @FunctionalInterface
    interface Body {
        NodeOutput apply(NodeInputs in, NodeContext ctx);
    }

    private static Node node(NodeSchema.Builder schema, Body body) {
        NodeSchema built = schema.category("bench").build();
        return new Node() {
            @Override
            public NodeSchema schema() {
                return built;
            }

            @Override
            public NodeOutput execute(NodeInputs inputs, NodeContext context) {
                return body.apply(inputs, context);
            }
        };
    }
}
