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
}
