package dev.easel.node;

import java.nio.file.Path;

/**
 * Where a run notes the result files it creates, before and after each one appears, so that the process running it
 * can undo the files of a run that died midway. The server keeps it in its job store: a job that was running when
 * the process was killed is re-run after a restart, and without the journal the files its first attempt wrote would
 * exist twice. {@link OutputFiles#createNew} calls it; nodes do not call it directly.
 */
public interface OutputJournal {

    /** Notes nothing (a run nobody will recover, such as one from the command line). */
    OutputJournal NONE = new OutputJournal() {
        @Override
        public void staging(Path target, Path staging) {
        }

        @Override
        public void published(Path target) {
        }

        @Override
        public void abandoned(Path target) {
        }
    };

    /** Called before {@code staging} is created; the file will be published as {@code target}. */
    void staging(Path target, Path staging);

    /** {@code target} now exists and is this run's file. */
    void published(Path target);

    /** {@code target} was taken by someone else (or the write failed): it is not this run's file. */
    void abandoned(Path target);
}
