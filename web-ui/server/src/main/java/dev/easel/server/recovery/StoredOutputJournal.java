package dev.easel.server.recovery;

import dev.easel.node.OutputJournal;
import dev.easel.server.store.JobStore;
import java.nio.file.Path;

/** A job's {@link OutputJournal} kept in the job store, so that it survives the process ({@link OutputRollback}). */
public final class StoredOutputJournal implements OutputJournal {

    private final JobStore store;
    private final String promptId;

    public StoredOutputJournal(JobStore store, String promptId) {
        this.store = store;
        this.promptId = promptId;
    }

    @Override
    public void staging(Path target, Path staging) {
        store.noteStaging(promptId, key(target), key(staging));
    }

    @Override
    public void published(Path target) {
        store.notePublished(promptId, key(target));
    }

    @Override
    public void abandoned(Path target) {
        store.forgetFile(promptId, key(target));
    }

    private static String key(Path file) {
        return file.toAbsolutePath().normalize().toString();
    }
}
