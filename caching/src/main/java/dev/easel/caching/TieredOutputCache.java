package dev.easel.caching;

import dev.easel.caching.disk.DiskEntryFormat;
import dev.easel.caching.disk.DiskTier;
import dev.easel.caching.disk.StoredEntry;
import dev.easel.engine.cache.CacheKey;
import dev.easel.engine.cache.CachedOutputs;
import dev.easel.engine.cache.OutputCache;
import dev.easel.node.RefCounted;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The engine's output cache: byte-budgeted tiers (accelerator memory, host RAM, a model budget, disk) with eviction
 * by value ({@link ValueScore}: large, cheap, rarely reused entries go first).
 *
 * <ul>
 *   <li>An entry goes to the {@link Tier#MODELS models} budget when its node is a model loader, to the
 *       {@link Tier#ACCELERATOR accelerator} tier when one of its values lives on the accelerator, else to
 *       {@link Tier#HOST host}.</li>
 *   <li>After every put each RAM tier is within its budget. Entries over budget move down: accelerator to host
 *       ({@link DeviceMover}), host to disk when every value can be stored ({@link DiskEntryFormat#canStore}) and
 *       reading it back beats recomputing it ({@link ValueScore#worthStoring}); others are dropped. Models are never written to disk. An entry larger than a whole tier skips it.</li>
 *   <li>Pinned entries and entries with a lease out (a lookup not yet released) are never evicted or moved; if they
 *       alone fill a tier, a new entry is not kept there.</li>
 *   <li>A RAM miss looks on disk, and a disk hit is promoted to host RAM.</li>
 * </ul>
 *
 * <p>Thread-safe: one lock guards the bookkeeping; disk I/O, device copies and releases happen outside it.
 */
public final class TieredOutputCache implements OutputCache, AutoCloseable {

    private static final System.Logger LOG = System.getLogger("easel.cache");

    private final CacheSettings settings;
    private final DeviceMover mover;
    private final DiskTier disk;

    private final Object lock = new Object();
    private final Map<CacheKey, CacheEntry> index = new HashMap<>();
    private final Map<Tier, RamTier> tiers = new EnumMap<>(Tier.class);
    private final CacheStats stats = new CacheStats();
    /** Logical clock for least-recently-used tie breaks. */
    private long clock;
    private boolean closed;

    /** A cache with the {@link PersistableFactories} on the class path and libtorch device moves. */
    public TieredOutputCache(CacheSettings settings) {
        this(settings, PersistableFactories.fromClassPath());
    }

    public TieredOutputCache(CacheSettings settings, PersistableFactories factories) {
        this(settings, new TorchDeviceMover(factories), factories);
    }

    /** Opens the disk tier now when the settings have one (a scan of the directory). */
    public TieredOutputCache(CacheSettings settings, DeviceMover mover, PersistableFactories factories) {
        this.settings = settings;
        this.mover = mover;
        tiers.put(Tier.ACCELERATOR, new RamTier(Tier.ACCELERATOR, settings.acceleratorBytes()));
        tiers.put(Tier.HOST, new RamTier(Tier.HOST, settings.hostBytes()));
        tiers.put(Tier.MODELS, new RamTier(Tier.MODELS, settings.modelBytes()));
        this.disk = settings.hasDisk() ? new DiskTier(settings.diskDirectory(), settings.diskBytes(), factories) : null;
    }

    public CacheSettings settings() {
        return settings;
    }

    // ------------------------------------------------------------------------------------------------ lookups

    @Override
    public Optional<CachedOutputs> lookup(CacheKey key) {
        synchronized (lock) {
            CacheEntry entry = index.get(key);
            if (entry != null) {
                return Optional.of(hit(entry));
            }
            if (disk == null || closed || !disk.canStore(key)) {
                stats.misses++;
                return Optional.empty();
            }
        }
        Optional<CachedOutputs> found = promoteFromDisk(key, true);
        if (found.isEmpty()) {
            synchronized (lock) {
                stats.misses++;
            }
        }
        return found;
    }

    /** Leases {@code entry} to the caller and counts the hit. Call with the lock held. */
    private CachedOutputs hit(CacheEntry entry) {
        lease(entry);
        entry.hits++;
        stats.hit(entry.tier, entry.bytes, entry.computeNanos);
        return entry.outputs;
    }

    private void lease(CacheEntry entry) {
        OutputCache.retainValues(entry.outputs);
        entry.leases++;
        entry.lastUsed = ++clock;
    }

    /**
     * Reads {@code key} from disk (outside the lock) and keeps it in host RAM when it fits; the caller gets a lease
     * either way. With {@code countHit} false the read is not counted (pinning).
     */
    private Optional<CachedOutputs> promoteFromDisk(CacheKey key, boolean countHit) {
        Optional<StoredEntry> read = disk.read(key);
        if (read.isEmpty()) {
            return Optional.empty();
        }
        StoredEntry stored = read.get();
        List<Runnable> after = new ArrayList<>();
        try {
            synchronized (lock) {
                CacheEntry existing = index.get(key);
                if (existing != null || closed) { // another thread promoted it meanwhile (or we are shutting down)
                    after.add(() -> OutputCache.releaseValues(stored.outputs()));
                    if (existing == null) {
                        return Optional.empty();
                    }
                    if (countHit) {
                        return Optional.of(hit(existing));
                    }
                    lease(existing);
                    return Optional.of(existing.outputs);
                }
                CacheEntry entry = new CacheEntry(key, stored.outputs(), stored.classType(), stored.computeNanos(),
                        true, Tier.HOST);
                entry.hits = stored.hits();
                entry.onDisk = true;
                // The values' one reference is the caller's lease; admitting takes the cache's own.
                entry.leases = 1;
                if (countHit) {
                    entry.hits++;
                    stats.hit(Tier.DISK, entry.bytes, entry.computeNanos);
                }
                admit(entry, after);
                return Optional.of(entry.outputs);
            }
        } finally {
            runAll(after);
        }
    }

    @Override
    public void release(CacheKey key, CachedOutputs outputs) {
        List<Runnable> after = new ArrayList<>();
        synchronized (lock) {
            CacheEntry entry = index.get(key);
            if (entry != null && entry.leases > 0 && (entry.outputs == outputs || entry.outputs.equals(outputs))) {
                entry.leases--;
                if (entry.evictable()) {
                    shrink(tiers.get(entry.tier), after); // it may have been all that kept the tier over budget
                }
            }
        }
        OutputCache.releaseValues(outputs);
        runAll(after);
    }

    // ------------------------------------------------------------------------------------------------ puts

    @Override
    public void put(CacheKey key, CachedOutputs outputs, NodeCost cost) {
        Tier tier = cost.model() ? Tier.MODELS : onAccelerator(outputs) ? Tier.ACCELERATOR : Tier.HOST;
        CacheEntry entry = new CacheEntry(key, outputs, cost.classType(), cost.computeNanos(),
                diskWorthy(outputs, cost), tier);
        List<Runnable> after = new ArrayList<>();
        boolean writeThrough = false;
        synchronized (lock) {
            if (closed) {
                return;
            }
            stats.puts++;
            if (index.containsKey(key)) {
                return; // the same key means the same result: keep the stored one (the caller keeps its values)
            }
            admit(entry, after);
            if (settings.writeThrough() && entry.diskWorthy && index.get(key) == entry) {
                lease(entry); // keeps it alive and in place while it is written
                writeThrough = true;
            }
        }
        runAll(after);
        if (writeThrough) {
            try {
                if (!disk.contains(key)) {
                    writeToDisk(entry);
                }
            } finally {
                release(key, entry.outputs);
            }
        }
    }

    /** Whether the entry may go to disk: not a model, storable, and cheaper to read back than to recompute. */
    private boolean diskWorthy(CachedOutputs outputs, NodeCost cost) {
        return disk != null && !cost.model()
                && ValueScore.worthStoring(CacheEntry.bytesOf(outputs), cost.computeNanos())
                && DiskEntryFormat.canStore(outputs);
    }

    private boolean onAccelerator(CachedOutputs outputs) {
        for (var slot : outputs.outputs()) {
            for (Object value : slot) {
                if (mover.onAccelerator(value)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Takes the cache's reference to {@code entry}'s values and puts it in its tier, evicting by score until the tier
     * is within budget; an entry that cannot stay (too large, or only protected entries left) moves on down. Call
     * with the lock held; {@code after} collects the I/O and releases to run once it is let go.
     */
    private void admit(CacheEntry entry, List<Runnable> after) {
        OutputCache.retainValues(entry.outputs);
        RamTier tier = tiers.get(entry.tier);
        if (!tier.admits(entry.bytes)) {
            if (entry.leases > 0) { // a promotion from disk too large for RAM: the caller's lease is all there is
                after.add(() -> OutputCache.releaseValues(entry.outputs));
            } else {
                sendDown(entry, after);
            }
            return;
        }
        entry.lastUsed = ++clock;
        tier.add(entry);
        index.put(entry.key, entry);
        shrink(tier, after);
        if (tier.overBudget() && index.get(entry.key) == entry) {
            // Only pinned and leased entries are left, this one (a promotion, leased to its caller) among them.
            remove(entry);
            after.add(() -> OutputCache.releaseValues(entry.outputs));
        }
    }

    /** Evicts the highest-scoring evictable entries until {@code tier} is within budget or none is left. */
    private void shrink(RamTier tier, List<Runnable> after) {
        while (tier.overBudget()) {
            CacheEntry victim = tier.nextVictim();
            if (victim == null) {
                return;
            }
            remove(victim);
            sendDown(victim, after);
        }
    }

    private void remove(CacheEntry entry) {
        tiers.get(entry.tier).remove(entry);
        index.remove(entry.key, entry);
    }

    /** Moves an entry that left (or never got into) its tier one tier down, or drops it; consumes its reference. */
    private void sendDown(CacheEntry entry, List<Runnable> after) {
        if (entry.tier == Tier.ACCELERATOR) {
            stats.demotions++;
            after.add(() -> demoteToHost(entry));
        } else if (entry.tier == Tier.HOST && entry.diskWorthy) {
            stats.demotions++;
            boolean wasOnDisk = entry.onDisk;
            after.add(() -> {
                try {
                    if (!(wasOnDisk && disk.contains(entry.key))) {
                        writeToDisk(entry);
                    }
                } finally {
                    OutputCache.releaseValues(entry.outputs);
                }
            });
        } else {
            stats.evictions++;
            after.add(() -> OutputCache.releaseValues(entry.outputs));
        }
    }

    /** Copies an accelerator entry to host memory and admits the copy to the host tier. Runs outside the lock. */
    private void demoteToHost(CacheEntry entry) {
        CachedOutputs moved;
        try {
            moved = moveToHost(entry.outputs);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not move cache entry " + entry + " to the host; dropped", e);
            synchronized (lock) {
                stats.demotions--;
                stats.evictions++;
            }
            return;
        } finally {
            OutputCache.releaseValues(entry.outputs);
        }
        CacheEntry host = new CacheEntry(entry.key, moved, entry.classType, entry.computeNanos, entry.diskWorthy,
                Tier.HOST);
        host.hits = entry.hits;
        host.onDisk = entry.onDisk;
        List<Runnable> after = new ArrayList<>();
        synchronized (lock) {
            if (!closed && !index.containsKey(entry.key)) {
                admit(host, after);
            }
        }
        after.add(() -> OutputCache.releaseValues(moved)); // the mover's references; the tier took its own
        runAll(after);
    }

    /** Host copies of every value, each with one reference owned by the caller; nothing is kept on failure. */
    private CachedOutputs moveToHost(CachedOutputs outputs) {
        List<List<Object>> slots = new ArrayList<>();
        List<Object> made = new ArrayList<>();
        try {
            for (var slot : outputs.outputs()) {
                List<Object> moved = new ArrayList<>();
                for (Object value : slot) {
                    Object copy = mover.toHost(value);
                    made.add(copy);
                    moved.add(copy);
                }
                slots.add(moved);
            }
        } catch (RuntimeException e) {
            for (Object copy : made) {
                if (copy instanceof RefCounted rc) {
                    rc.release();
                }
            }
            throw e;
        }
        return new CachedOutputs(slots, outputs.slotHashes(), outputs.ui());
    }

    /** Writes {@code entry} to the disk tier; its values must stay alive meanwhile. Runs outside the lock. */
    private void writeToDisk(CacheEntry entry) {
        long hits;
        synchronized (lock) {
            hits = entry.hits;
        }
        if (disk.write(entry.key, entry.outputs, entry.classType, entry.computeNanos, hits)) {
            synchronized (lock) {
                entry.onDisk = true;
            }
        }
    }

    private static void runAll(List<Runnable> work) {
        for (Runnable task : work) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "cache housekeeping failed", e);
            }
        }
    }

    /** True when {@code key} is in a RAM tier or on disk; unlike a lookup it counts no hit and takes no lease. */
    @Override
    public boolean contains(CacheKey key) {
        return tierOf(key).isPresent();
    }

    /** Where {@code key} is now: its RAM tier, else {@link Tier#DISK} when a file exists, else empty. */
    public Optional<Tier> tierOf(CacheKey key) {
        synchronized (lock) {
            CacheEntry entry = index.get(key);
            if (entry != null) {
                return Optional.of(entry.tier);
            }
        }
        return disk != null && disk.contains(key) ? Optional.of(Tier.DISK) : Optional.empty();
    }

    // ------------------------------------------------------------------------------------------------ control

    /** Pins an entry in RAM (reading it from disk first when it is only there); false when there is none. */
    @Override
    public boolean pin(CacheKey key) {
        synchronized (lock) {
            CacheEntry entry = index.get(key);
            if (entry != null) {
                entry.pinned = true;
                return true;
            }
            if (disk == null || closed) {
                return false;
            }
        }
        Optional<CachedOutputs> read = promoteFromDisk(key, false);
        if (read.isEmpty()) {
            return false;
        }
        boolean pinned;
        synchronized (lock) {
            CacheEntry entry = index.get(key);
            pinned = entry != null;
            if (pinned) {
                entry.pinned = true;
            }
        }
        release(key, read.get());
        return pinned;
    }

    @Override
    public boolean unpin(CacheKey key) {
        List<Runnable> after = new ArrayList<>();
        synchronized (lock) {
            CacheEntry entry = index.get(key);
            if (entry == null) {
                return false;
            }
            entry.pinned = false;
            shrink(tiers.get(entry.tier), after);
        }
        runAll(after);
        return true;
    }

    /** Drops every RAM entry that has no lease out, pinned ones too; the disk tier is kept (see {@link #clearDisk}). */
    @Override
    public void clear() {
        List<CacheEntry> dropped = new ArrayList<>();
        synchronized (lock) {
            for (CacheEntry entry : List.copyOf(index.values())) {
                if (entry.leases == 0) {
                    remove(entry);
                    dropped.add(entry);
                }
            }
        }
        dropped.forEach(entry -> OutputCache.releaseValues(entry.outputs));
    }

    /** Drops the RAM entries without a lease that {@code test} matches (by producing node class and outputs). */
    @Override
    public int dropIf(java.util.function.BiPredicate<String, CachedOutputs> test) {
        List<CacheEntry> dropped = new ArrayList<>();
        synchronized (lock) {
            for (CacheEntry entry : List.copyOf(index.values())) {
                if (entry.leases == 0 && test.test(entry.classType, entry.outputs)) {
                    remove(entry);
                    dropped.add(entry);
                }
            }
        }
        dropped.forEach(entry -> OutputCache.releaseValues(entry.outputs));
        return dropped.size();
    }

    /** Deletes every disk entry (of every process sharing the directory). */
    public void clearDisk() {
        if (disk != null) {
            disk.clear();
        }
    }

    /** Writes every persistable RAM entry that is not on disk yet to the disk tier (for example before a shutdown). */
    public void flush() {
        if (disk == null) {
            return;
        }
        List<CacheEntry> toWrite = new ArrayList<>();
        synchronized (lock) {
            for (CacheEntry entry : index.values()) {
                if (entry.diskWorthy && !entry.onDisk) {
                    lease(entry);
                    toWrite.add(entry);
                }
            }
        }
        for (CacheEntry entry : toWrite) {
            try {
                if (!disk.contains(entry.key)) {
                    writeToDisk(entry);
                }
            } finally {
                release(entry.key, entry.outputs);
            }
        }
    }

    /**
     * {@link #flush() Flushes} to disk, then lets go of every RAM entry. Leases still out stay valid (their holders
     * own their references); later puts are ignored and lookups miss RAM.
     */
    @Override
    public void close() {
        flush();
        List<CacheEntry> dropped;
        synchronized (lock) {
            closed = true;
            dropped = List.copyOf(index.values());
            dropped.forEach(this::remove);
        }
        dropped.forEach(entry -> OutputCache.releaseValues(entry.outputs));
    }

    // ------------------------------------------------------------------------------------------------ stats

    /**
     * {@code {"tiers": {"accelerator"|"host"|"models": {entries, bytes, budget_bytes, hits, pinned, leased},
     * "disk": {entries, bytes, budget_bytes, hits, writes, evictions, corrupt_entries, failures, directory}}, "entries",
     * "bytes" (RAM), "hits", "misses", "puts", "evictions", "demotions", "corrupt_entries", "bytes_saved",
     * "recompute_nanos_saved", "recompute_seconds_saved"}}. Hits count where the entry was found; evictions count
     * entries dropped from RAM without moving down plus disk files deleted for the budget.
     */
    @Override
    public Map<String, Object> stats() {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> tierLines = new LinkedHashMap<>();
        long diskHits;
        synchronized (lock) {
            diskHits = stats.hits(Tier.DISK);
            long entries = 0;
            long bytes = 0;
            for (RamTier tier : tiers.values()) {
                Map<String, Object> line = stats.tier(tier.tier, tier.size(), tier.bytes(), tier.budget);
                line.put("pinned", tier.entries().stream().filter(e -> e.pinned).count());
                line.put("leased", tier.entries().stream().filter(e -> e.leases > 0).count());
                tierLines.put(tier.tier.statsName(), line);
                entries += tier.size();
                bytes += tier.bytes();
            }
            out.put("tiers", tierLines);
            out.put("entries", entries);
            out.put("bytes", bytes);
            stats.totals(out);
            if (disk == null) {
                tierLines.put(Tier.DISK.statsName(), stats.tier(Tier.DISK, 0, 0, 0));
                out.put("corrupt_entries", 0L);
                return out;
            }
        }
        Map<String, Object> diskLine = disk.stats();
        diskLine.put("hits", diskHits); // served to callers (the tier's own count includes reads for pinning)
        tierLines.put(Tier.DISK.statsName(), diskLine);
        out.put("evictions", (Long) out.get("evictions") + disk.evictions());
        out.put("corrupt_entries", disk.corruptEntries());
        return out;
    }
}
