package dev.easel.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmojiCatalogTest {

    @TempDir
    Path dir;

    @Test
    void captionsNameSkinToneAndStyleInSortOrderSkippingObsoleteAndMissingImages() throws IOException {
        Path json = Files.writeString(dir.resolve("emoji.json"), EmojiFixture.EMOJI_JSON);
        assertEquals(EmojiFixture.GOOGLE_CAPTIONS, captions(EmojiCatalog.read(json, EmojiSet.GOOGLE)));
        assertEquals(EmojiFixture.TWITTER_CAPTIONS, captions(EmojiCatalog.read(json, EmojiSet.TWITTER)));
    }

    @Test
    void entriesKeepTheImageFileOfTheirVariationAndTheCategory() throws IOException {
        Path json = Files.writeString(dir.resolve("emoji.json"), EmojiFixture.EMOJI_JSON);
        List<EmojiEntry> google = EmojiCatalog.read(json, EmojiSet.GOOGLE);
        assertEquals(new EmojiEntry(EmojiSet.GOOGLE, "1f600.png", "grinning face", "", "Smileys & Emotion"),
                google.get(0));
        assertEquals(new EmojiEntry(EmojiSet.GOOGLE, "1faf1-1f3fb-200d-1faf2-1f3fc.png", "handshake",
                "light skin tone, medium-light skin tone", "People & Body"), google.get(2));
        assertEquals(new EmojiEntry(EmojiSet.GOOGLE, "1f44d-1f3ff.png", "thumbs up sign", "dark skin tone",
                "People & Body"), google.get(6));
    }

    @Test
    void loadReadsBothInstalledSetsGoogleFirst() throws IOException {
        EmojiFixture.write(dir);
        List<String> expected = new ArrayList<>(EmojiFixture.GOOGLE_CAPTIONS);
        expected.addAll(EmojiFixture.TWITTER_CAPTIONS);
        assertEquals(expected, captions(EmojiCatalog.load(dir)));
    }

    @Test
    void skinToneWordsForEveryModifierAndForTwoPeople() {
        assertEquals("light skin tone", SkinTones.describe("1F3FB"));
        assertEquals("medium-light skin tone", SkinTones.describe("1F3FC"));
        assertEquals("medium skin tone", SkinTones.describe("1f3fd"));
        assertEquals("medium-dark skin tone", SkinTones.describe("1F3FE"));
        assertEquals("dark skin tone", SkinTones.describe("1F3FF"));
        assertEquals("dark skin tone, light skin tone", SkinTones.describe("1F3FF-1F3FB"));
        assertEquals("medium-dark skin tone", SkinTones.describe("1F3FE-1F3FE"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SkinTones.describe("1F3FB-200D"));
        assertTrue(e.getMessage().contains("200D"), e.getMessage());
    }

    @Test
    void notAnArrayIsAnErrorNamingTheFile() throws IOException {
        Path json = Files.writeString(dir.resolve("emoji.json"), "{\"name\": \"GRINNING FACE\"}");
        IOException e = assertThrows(IOException.class, () -> EmojiCatalog.read(json, EmojiSet.GOOGLE));
        assertTrue(e.getMessage().contains(json.toString()), e.getMessage());
    }

    private static List<String> captions(List<EmojiEntry> entries) {
        return entries.stream().map(EmojiEntry::caption).toList();
    }
}
