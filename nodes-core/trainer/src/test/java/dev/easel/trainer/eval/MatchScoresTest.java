package dev.easel.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Top-1 looks at the nearest image only, top-5 at the first five. */
class MatchScoresTest {

    @Test
    void countsNameMatchesAtRankOneAndWithinFive() {
        List<String> training = List.of("cat", "dog", "fox", "owl", "bee", "ant", "cat");
        List<String> prompts = List.of("cat", "dog", "ant", "owl");
        long[][] neighbours = {
            {6, 1, 2, 3, 4, 5}, // cat nearest: top-1 and top-5
            {0, 2, 3, 4, 1, 5}, // dog at rank 5: top-5 only
            {0, 1, 2, 3, 4, 5}, // ant at rank 6: neither
            {3, 3, 3, 3, 3, 3}, // owl nearest
        };
        MatchScores scores = MatchScores.of(prompts, neighbours, training);
        assertEquals(new MatchScores(4, 2, 3), scores);
        assertEquals(0.5, scores.top1Rate());
        assertEquals(0.75, scores.top5Rate());
        assertThrows(IllegalArgumentException.class, () -> MatchScores.of(prompts, new long[1][], training));
    }

    @Test
    void chanceIsTheMeanShareOfEachPromptsName() {
        List<String> training = List.of("cat", "dog", "fox", "cat");
        // cat: 2 of 4, dog: 1 of 4, owl: 0 of 4
        assertEquals((0.5 + 0.25 + 0.0) / 3, MatchScores.chanceTop1(List.of("cat", "dog", "owl"), training), 1e-15);
    }
}
