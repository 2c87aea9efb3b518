package dev.easel.nodes.core.output;

import java.nio.file.Path;

/**
 * Where a batch of images goes: the folder, the subfolder reported to the UI, the file name stem and the first
 * counter.
 *
 * @param folder    absolute folder the files are written to
 * @param subfolder the folder relative to the output root, with {@code /} separators ({@code ""} for the root)
 * @param filename  the name stem; may still hold {@code %batch_num%}
 * @param counter   the counter of the first image
 */
record SaveTarget(Path folder, String subfolder, String filename, long counter) {

    /** {@code <filename>_<counter:05d>_.png} for image {@code batchIndex} of the batch. */
    String fileName(int batchIndex, long counterValue) {
        return filename.replace("%batch_num%", Integer.toString(batchIndex))
                + "_" + String.format("%05d", counterValue) + "_.png";
    }
}
