package dev.easel.node;

import java.nio.file.Path;

/** The data folders of this Easel instance, in ComfyUI's layout. */
public interface Folders {

    /** Where output nodes such as SaveImage write ({@code output/}). */
    Path output();

    /** Where uploads and LoadImage's files live ({@code input/}). */
    Path input();

    /** Scratch files such as previews ({@code temp/}); wiped at start. */
    Path temp();

    /** Fixed folders (for tests and tools). */
    static Folders of(Path output, Path input, Path temp) {
        return new Folders() {
            @Override
            public Path output() {
                return output;
            }

            @Override
            public Path input() {
                return input;
            }

            @Override
            public Path temp() {
                return temp;
            }
        };
    }
}
