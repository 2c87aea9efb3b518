package dev.easel.trainer.eval;

import dev.easel.trainer.data.EmojiEntry;
import dev.easel.trainer.data.EmojiSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Picks the evaluation prompts: distinct captions of the data set, drawn with a seed and alternating between the
 * styles, so that both image sets are measured about equally whatever their sizes.
 */
public final class PromptChoice {

    private PromptChoice() {
    }

    /**
     * Indices into {@code entries} of the entries with these captions, in order (a hand-picked set, such as common
     * prompts for a contact sheet).
     *
     * @throws IllegalArgumentException naming every caption the data set does not have
     */
    public static List<Integer> byCaption(List<EmojiEntry> entries, List<String> captions) {
        Map<String, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            index.putIfAbsent(entries.get(i).caption(), i);
        }
        List<String> unknown = captions.stream().filter(c -> !index.containsKey(c)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("not captions of the data set: " + unknown
                    + " (a caption is \"<emoji name>[, <skin tone>], <google|twitter> style\")");
        }
        return captions.stream().map(index::get).toList();
    }

    /**
     * Indices into {@code entries} of {@code count} entries with distinct captions (fewer when the set has fewer),
     * the same for the same seed; the styles take turns until one runs out.
     */
    public static List<Integer> pick(List<EmojiEntry> entries, int count, long seed) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be ≥ 0, not " + count);
        }
        Map<EmojiSet, List<Integer>> bySet = new EnumMap<>(EmojiSet.class);
        for (int i = 0; i < entries.size(); i++) {
            bySet.computeIfAbsent(entries.get(i).set(), s -> new ArrayList<>()).add(i);
        }
        Random random = new Random(seed);
        List<List<Integer>> queues = new ArrayList<>();
        for (List<Integer> indices : bySet.values()) {
            Collections.shuffle(indices, random);
            queues.add(indices);
        }
        int[] next = new int[queues.size()];
        Set<String> captions = new HashSet<>();
        List<Integer> chosen = new ArrayList<>(count);
        boolean progressed = true;
        while (chosen.size() < count && progressed) {
            progressed = false;
            for (int q = 0; q < queues.size() && chosen.size() < count; q++) {
                List<Integer> queue = queues.get(q);
                while (next[q] < queue.size()) {
                    int index = queue.get(next[q]++);
                    if (captions.add(entries.get(index).caption())) {
                        chosen.add(index);
                        progressed = true;
                        break;
                    }
                }
            }
        }
        return chosen;
    }
}
