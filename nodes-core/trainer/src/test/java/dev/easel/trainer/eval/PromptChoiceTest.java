package dev.easel.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.easel.trainer.data.EmojiEntry;
import dev.easel.trainer.data.EmojiSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Captions are distinct, seeded, and split evenly between the styles while both have some left. */
class PromptChoiceTest {

    @Test
    void picksDistinctCaptionsAlternatingStyles() {
        List<EmojiEntry> entries = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            entries.add(new EmojiEntry(EmojiSet.GOOGLE, i + ".png", "emoji " + i, "", "Symbols"));
        }
        for (int i = 0; i < 6; i++) {
            entries.add(new EmojiEntry(EmojiSet.TWITTER, i + ".png", "emoji " + i, "", "Symbols"));
        }
        entries.add(entries.get(0)); // a duplicate caption must not be picked twice

        List<Integer> ten = PromptChoice.pick(entries, 10, 5);
        assertEquals(10, ten.size());
        assertEquals(5, ten.stream().filter(i -> entries.get(i).set() == EmojiSet.TWITTER).count());
        assertEquals(ten, PromptChoice.pick(entries, 10, 5));
        assertNotEquals(ten, PromptChoice.pick(entries, 10, 6));

        List<Integer> all = PromptChoice.pick(entries, 100, 5);
        assertEquals(36, all.size(), "every distinct caption, once");
        assertEquals(36, new HashSet<>(all.stream().map(i -> entries.get(i).caption()).toList()).size());
        // twitter runs out after 6 of its turns; google fills the rest
        assertEquals(6, all.subList(0, 12).stream().filter(i -> entries.get(i).set() == EmojiSet.TWITTER).count());
    }

    @Test
    void handPickedCaptionsAreFoundInOrderAndUnknownOnesAreAllNamed() {
        List<EmojiEntry> entries = List.of(new EmojiEntry(EmojiSet.GOOGLE, "a.png", "red apple", "", "Food"),
                new EmojiEntry(EmojiSet.TWITTER, "b.png", "rocket", "", "Travel"));
        assertEquals(List.of(1, 0), PromptChoice.byCaption(entries, List.of("rocket, twitter style",
                "red apple, google style")));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> PromptChoice.byCaption(entries, List.of("rocket", "red apple, google style", "pear")));
        assertTrue(e.getMessage().contains("[rocket, pear]"), e.getMessage());
    }
}
