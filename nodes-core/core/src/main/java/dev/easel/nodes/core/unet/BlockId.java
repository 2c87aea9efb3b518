package dev.easel.nodes.core.unet;

/**
 * One block of the UNet, named as in the checkpoint: {@code input_blocks.N}, {@code middle_block},
 * {@code output_blocks.N}.
 *
 * @param stage which part of the UNet
 * @param index the block index within its stage (0 for the middle block)
 */
public record BlockId(Stage stage, int index) {

    /** The three parts of the UNet, in execution order. */
    public enum Stage {
        INPUT, MIDDLE, OUTPUT
    }

    public static final BlockId MIDDLE = new BlockId(Stage.MIDDLE, 0);

    public static BlockId input(int index) {
        return new BlockId(Stage.INPUT, index);
    }

    public static BlockId output(int index) {
        return new BlockId(Stage.OUTPUT, index);
    }

    /** The checkpoint key prefix of this block, for example {@code "output_blocks.5."}. */
    public String keyPrefix() {
        return switch (stage) {
            case INPUT -> "input_blocks." + index + ".";
            case MIDDLE -> "middle_block.";
            case OUTPUT -> "output_blocks." + index + ".";
        };
    }

    @Override
    public String toString() {
        return stage == Stage.MIDDLE ? "middle_block" : keyPrefix().substring(0, keyPrefix().length() - 1);
    }
}
