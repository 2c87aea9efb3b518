package dev.easel.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataLicensesTest {

    @Test
    void namesEachPackageVersionAndImageLicense(@TempDir Path dir) throws IOException {
        Path file = DataLicenses.write(dir);
        assertEquals(dir.resolve("LICENSES.md"), file);
        String text = Files.readString(file);
        assertTrue(text.contains("| `emoji-datasource-google` | 16.0.0 | Noto Emoji (Google) | [Apache-2.0]("), text);
        assertTrue(text.contains("| `emoji-datasource-twitter` | 16.0.0 | Twemoji (Twitter) | [CC-BY-4.0]("), text);
    }
}
