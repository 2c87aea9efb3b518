package dev.easel.bench;

/** Generates the benchmark workflows as API-format JSON. */
final class Workflows {

    private Workflows() {
    }

    /** A chain of {@code n} BenchAdd nodes ending in one sink: each node waits for the previous one. */
    static String chain(int n) {
        StringBuilder json = new StringBuilder(n * 80).append('{');
        json.append("\"0\":{\"class_type\":\"BenchAdd\",\"inputs\":{\"a\":0,\"b\":1}}");
        for (int i = 1; i < n - 1; i++) {
            json.append(",\"").append(i).append("\":{\"class_type\":\"BenchAdd\",\"inputs\":{\"a\":[\"")
                    .append(i - 1).append("\",0],\"b\":1}}");
        }
        json.append(",\"").append(n - 1).append("\":{\"class_type\":\"BenchSink\",\"inputs\":{\"value\":[\"")
                .append(n - 2).append("\",0]}}");
        return json.append('}').toString();
    }

    /**
     * Fan-out/fan-in of {@code n} nodes: one source, {@code width} independent chains, pairwise reductions back to
     * one sink. Independent chains are what parallel scheduling can overlap.
     */
    static String fanOutFanIn(int n, int width) {
        StringBuilder json = new StringBuilder(n * 80).append('{');
        json.append("\"src\":{\"class_type\":\"BenchAdd\",\"inputs\":{\"a\":0,\"b\":1}}");
        int used = 1 + (width - 1) + 1; // source, reductions, sink
        int depth = Math.max(1, (n - used) / width);
        String[] tails = new String[width];
        for (int w = 0; w < width; w++) {
            String previous = "src";
            for (int d = 0; d < depth; d++) {
                String id = "c" + w + "_" + d;
                json.append(",\"").append(id).append("\":{\"class_type\":\"BenchAdd\",\"inputs\":{\"a\":[\"")
                        .append(previous).append("\",0],\"b\":1}}");
                previous = id;
            }
            tails[w] = previous;
        }
        int r = 0;
        java.util.ArrayDeque<String> level = new java.util.ArrayDeque<>(java.util.List.of(tails));
        while (level.size() > 1) {
            String a = level.poll();
            String b = level.poll();
            String id = "r" + (r++);
            json.append(",\"").append(id).append("\":{\"class_type\":\"BenchAdd\",\"inputs\":{\"a\":[\"").append(a)
                    .append("\",0],\"b\":[\"").append(b).append("\",0]}}");
            level.add(id);
        }
        json.append(",\"sink\":{\"class_type\":\"BenchSink\",\"inputs\":{\"value\":[\"").append(level.poll())
                .append("\",0]}}");
        return json.append('}').toString();
    }

    /** The small tensor graph of the native-memory loop: randn → scale → scale → mean, plus a shared branch. */
    static String tensorGraph(long seed) {
        return """
                {"1": {"class_type": "BenchTensor", "inputs": {"seed": %d}},
                 "2": {"class_type": "BenchScale", "inputs": {"x": ["1", 0]}},
                 "3": {"class_type": "BenchScale", "inputs": {"x": ["2", 0]}},
                 "4": {"class_type": "BenchScale", "inputs": {"x": ["1", 0]}},
                 "8": {"class_type": "BenchMean", "inputs": {"x": ["3", 0]}},
                 "9": {"class_type": "BenchMean", "inputs": {"x": ["4", 0]}}}""".formatted(seed);
    }

    /** {@code chains} independent chains: BenchTensor → {@code depth} × BenchScale → BenchMean. */
    static String tensorChains(int chains, int depth) {
        StringBuilder json = new StringBuilder("{");
        for (int c = 0; c < chains; c++) {
            json.append(c == 0 ? "" : ",").append("\"t").append(c)
                    .append("\":{\"class_type\":\"BenchTensor\",\"inputs\":{\"seed\":").append(c).append("}}");
            String previous = "t" + c;
            for (int d = 0; d < depth; d++) {
                String id = "s" + c + "_" + d;
                json.append(",\"").append(id).append("\":{\"class_type\":\"BenchScale\",\"inputs\":{\"x\":[\"")
                        .append(previous).append("\",0]}}");
                previous = id;
            }
            json.append(",\"m").append(c).append("\":{\"class_type\":\"BenchMean\",\"inputs\":{\"x\":[\"")
                    .append(previous).append("\",0]}}");
        }
        return json.append('}').toString();
    }
}
