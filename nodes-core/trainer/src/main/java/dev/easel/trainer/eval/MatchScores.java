package dev.easel.trainer.eval;

import java.util.List;

/**
 * How often the nearest training images show the prompt's emoji: a prompt counts for top-k when any of its k nearest
 * training images has the prompt's emoji name (skin tone and style ignored).
 *
 * @param prompts prompts scored
 * @param top1    prompts whose nearest image has their name
 * @param top5    prompts with their name among the 5 nearest (or as many as were found)
 */
public record MatchScores(int prompts, int top1, int top5) {

    /**
     * Scores {@code neighbours} (rows in prompt order, nearest first, indices into {@code trainingNames}) against the
     * prompts' names.
     */
    public static MatchScores of(List<String> promptNames, long[][] neighbours, List<String> trainingNames) {
        if (neighbours.length != promptNames.size()) {
            throw new IllegalArgumentException(promptNames.size() + " prompts but " + neighbours.length + " rows");
        }
        int top1 = 0;
        int top5 = 0;
        for (int i = 0; i < neighbours.length; i++) {
            String name = promptNames.get(i);
            if (matches(name, neighbours[i], 1, trainingNames)) {
                top1++;
            }
            if (matches(name, neighbours[i], 5, trainingNames)) {
                top5++;
            }
        }
        return new MatchScores(promptNames.size(), top1, top5);
    }

    private static boolean matches(String name, long[] row, int k, List<String> trainingNames) {
        for (int r = 0; r < Math.min(k, row.length); r++) {
            if (trainingNames.get((int) row[r]).equals(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The top-1 rate a search that picked a training image uniformly at random would have on average: the mean
     * share of the training images that carry each prompt's name.
     */
    public static double chanceTop1(List<String> promptNames, List<String> trainingNames) {
        if (promptNames.isEmpty() || trainingNames.isEmpty()) {
            return 0;
        }
        java.util.Map<String, Long> counts = trainingNames.stream().collect(
                java.util.stream.Collectors.groupingBy(n -> n, java.util.stream.Collectors.counting()));
        return promptNames.stream().mapToDouble(n -> counts.getOrDefault(n, 0L)).sum()
                / ((double) promptNames.size() * trainingNames.size());
    }

    /** {@link #top1} as a fraction of the prompts (0 when there are none). */
    public double top1Rate() {
        return prompts == 0 ? 0 : (double) top1 / prompts;
    }

    /** {@link #top5} as a fraction of the prompts (0 when there are none). */
    public double top5Rate() {
        return prompts == 0 ? 0 : (double) top5 / prompts;
    }
}
