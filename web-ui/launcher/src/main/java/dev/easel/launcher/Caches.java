package dev.easel.launcher;

import dev.easel.caching.CacheSettings;
import dev.easel.caching.PersistableFactories;
import dev.easel.caching.TieredOutputCache;
import dev.easel.engine.cache.OutputCache;
import java.io.PrintWriter;
import java.nio.file.Path;

/** The output cache of a command: RAM tiers plus a disk tier under {@code <data-dir>/cache} shared by processes. */
final class Caches {

    private Caches() {
    }

    /**
     * A later run (another process) serves unchanged intermediate results from the disk tier. When it cannot be
     * opened the command runs without a cache (and says so).
     *
     * @param diskGib   the disk tier's budget in GiB
     * @param factories rebuild the disk tier's values (the packs' ones added, {@link PackFactories})
     */
    static OutputCache open(Path dataDir, double diskGib, PrintWriter err, PersistableFactories factories) {
        long diskBytes = (long) (diskGib * CacheSettings.GiB);
        CacheSettings settings = new CacheSettings(CacheSettings.GiB, 2 * CacheSettings.GiB, diskBytes,
                8 * CacheSettings.GiB, dataDir.resolve("cache"), true);
        try {
            return new TieredOutputCache(settings, factories);
        } catch (RuntimeException e) {
            err.println("warning: cannot open the cache in " + dataDir.resolve("cache") + " (" + e.getMessage()
                    + "); running without it");
            return OutputCache.NONE;
        }
    }
}
