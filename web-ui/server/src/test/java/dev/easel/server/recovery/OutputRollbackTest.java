package dev.easel.server.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.node.OutputFiles;
import dev.easel.node.OutputJournal;
import dev.easel.server.store.JobStore;
import dev.easel.server.store.SqliteJobStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OutputFiles#createNew} with its journal, and {@link OutputRollback} on every state a crash can leave: it
 * removes exactly the files of the unfinished run and never a file that belongs to someone else.
 */
class OutputRollbackTest {

    @TempDir
    Path dir;
    private Path out;
    private SqliteJobStore store;

    @BeforeEach
    void open() throws IOException {
        out = Files.createDirectories(dir.resolve("output"));
        store = SqliteJobStore.open(dir.resolve("jobs.db"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** Records the journal calls as text. */
    private static final class Recording implements OutputJournal {
        final List<String> calls = new ArrayList<>();

        public void staging(Path target, Path staging) {
            assertTrue(staging.getFileName().toString().startsWith(OutputFiles.STAGING_PREFIX));
            assertEquals(target.getParent(), staging.getParent(), "staged beside the target (same file system)");
            calls.add("staging " + target.getFileName());
        }

        public void published(Path target) {
            calls.add("published " + target.getFileName());
        }

        public void abandoned(Path target) {
            calls.add("abandoned " + target.getFileName());
        }
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> files = Files.list(out)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void createNewPublishesCompleteFilesAndNeverReplacesOne() throws IOException {
        Recording journal = new Recording();
        Path a = out.resolve("a.txt");
        assertTrue(OutputFiles.createNew(a, journal, o -> o.write("first".getBytes(StandardCharsets.UTF_8))));
        assertFalse(OutputFiles.createNew(a, journal, o -> o.write("second".getBytes(StandardCharsets.UTF_8))));
        assertEquals("first", Files.readString(a), "an existing file is never replaced");
        IOException failure = assertThrows(IOException.class, () -> OutputFiles.createNew(out.resolve("b.txt"),
                journal, o -> {
                    o.write(1);
                    throw new IOException("disk full");
                }));
        assertEquals("disk full", failure.getMessage());
        assertEquals(List.of("a.txt"), listing(), "no half-written file and no staging file is left");
        assertEquals(List.of("staging a.txt", "published a.txt", "staging a.txt", "abandoned a.txt",
                "staging b.txt", "abandoned b.txt"), journal.calls);
    }

    private String runningJob(String id) {
        store.enqueue(new JobStore.Job(id, store.nextNumber(false), "{}", "{}", null, List.of("1"), 0));
        assertEquals(id, store.claimNext().orElseThrow().promptId());
        return id;
    }

    private Path file(String name, String content) throws IOException {
        return Files.writeString(out.resolve(name), content);
    }

    @Test
    void requeueRemovesTheUnfinishedRunsFilesAndOnlyThose() throws IOException {
        String job = runningJob("dead");
        // published: the job's
        Path published = file("published.png", "mine");
        store.noteStaging(job, published.toString(), out.resolve(".easel-staging-1.partial").toString());
        store.notePublished(job, published.toString());
        // linked but not yet noted: the staging file still is the target
        Path staging2 = file(".easel-staging-2.partial", "mine too");
        Path linked = out.resolve("linked.png");
        Files.createLink(linked, staging2);
        store.noteStaging(job, linked.toString(), staging2.toString());
        // the name was taken by another file while the staging file was written
        Path staging3 = file(".easel-staging-3.partial", "mine, unpublished");
        Path taken = file("taken.png", "someone else's");
        store.noteStaging(job, taken.toString(), staging3.toString());
        // noted, then killed before the staging file was created: the target is someone else's
        Path other = file("other.png", "someone else's too");
        store.noteStaging(job, other.toString(), out.resolve(".easel-staging-4.partial").toString());
        // staging written, never linked
        Path staging5 = file(".easel-staging-5.partial", "half");
        store.noteStaging(job, out.resolve("never.png").toString(), staging5.toString());
        Path unrelated = file("unrelated.png", "not noted at all");

        assertEquals(2, OutputRollback.rollBackRunningJobs(store, JobStore.Recovery.REQUEUE));
        assertEquals(List.of("other.png", "taken.png", "unrelated.png"), listing());
        assertEquals("someone else's", Files.readString(taken));
        assertEquals("not noted at all", Files.readString(unrelated));

        assertEquals(List.of(job), store.recover(JobStore.Recovery.REQUEUE, 1).stream()
                .map(JobStore.Job::promptId).toList());
        assertEquals(List.of(), store.files(job), "the re-queued job starts with no notes");
        // a crash during the rollback itself repeats the same decisions: nothing more goes
        assertEquals(0, OutputRollback.rollBackRunningJobs(store, JobStore.Recovery.REQUEUE));
        assertEquals(List.of("other.png", "taken.png", "unrelated.png"), listing());
    }

    @Test
    void failKeepsCompleteFilesAndRemovesStagingLeftovers() throws IOException {
        String job = runningJob("dead");
        Path published = file("published.png", "mine");
        store.noteStaging(job, published.toString(), out.resolve(".easel-staging-1.partial").toString());
        store.notePublished(job, published.toString());
        Path staging2 = file(".easel-staging-2.partial", "half");
        store.noteStaging(job, out.resolve("never.png").toString(), staging2.toString());

        assertEquals(0, OutputRollback.rollBackRunningJobs(store, JobStore.Recovery.FAIL));
        assertEquals(List.of("published.png"), listing());
        store.recover(JobStore.Recovery.FAIL, 1);
        assertEquals(List.of(), store.files(job));
        assertTrue(store.history(job).isPresent());
    }

    @Test
    void aFinishedJobKeepsNoNotes() {
        String job = runningJob("done");
        store.noteStaging(job, out.resolve("x.png").toString(), out.resolve(".easel-staging-x.partial").toString());
        store.notePublished(job, out.resolve("x.png").toString());
        store.finish(job, "{}", 1);
        assertEquals(List.of(), store.files(job));
    }
}
