package dev.easel.caching;

/** Where a cache entry lives; the names are the keys of {@link TieredOutputCache#stats()}. */
public enum Tier {
    /** Intermediates whose tensors are in accelerator (CUDA) memory. */
    ACCELERATOR("accelerator"),
    /** Intermediates in host RAM. */
    HOST("host"),
    /** Outputs of model loaders, in their own RAM budget. */
    MODELS("models"),
    /** Safetensors files in the disk directory. */
    DISK("disk");

    private final String statsName;

    Tier(String statsName) {
        this.statsName = statsName;
    }

    public String statsName() {
        return statsName;
    }
}
