package dev.easel.trainer.data;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Words for the Fitzpatrick modifiers U+1F3FB..U+1F3FF, as Unicode's CLDR names them. */
final class SkinTones {

    private static final Map<String, String> WORDS = Map.of(
            "1F3FB", "light skin tone",
            "1F3FC", "medium-light skin tone",
            "1F3FD", "medium skin tone",
            "1F3FE", "medium-dark skin tone",
            "1F3FF", "dark skin tone");

    private SkinTones() {
    }

    /**
     * The words for a {@code skin_variations} key: {@code 1F3FD} → "medium skin tone"; {@code 1F3FB-1F3FC} (two
     * people) → "light skin tone, medium-light skin tone". A tone repeated for both people is said once
     * ({@code 1F3FB-1F3FB} → "light skin tone"), as CLDR does, since no emoji has both that key and {@code 1F3FB}.
     *
     * @throws IllegalArgumentException for a code point that is not a skin-tone modifier
     */
    static String describe(String key) {
        Set<String> words = new LinkedHashSet<>();
        for (String code : key.toUpperCase(Locale.ROOT).split("-")) {
            String word = WORDS.get(code);
            if (word == null) {
                throw new IllegalArgumentException("'" + code + "' in skin variation '" + key
                        + "' is not a skin-tone modifier (1F3FB..1F3FF)");
            }
            words.add(word);
        }
        return String.join(", ", new ArrayList<>(words));
    }
}
