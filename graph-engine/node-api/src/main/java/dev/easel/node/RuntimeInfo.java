package dev.easel.node;

/** What a node may ask about the machine it runs on. Implemented by the runtime module. */
public interface RuntimeInfo {

    /** The compute device in libtorch's spelling: {@code "cpu"}, {@code "cuda:0"}. */
    String device();

    /** True when the compute device is an accelerator (work on it is serialized by the engine). */
    boolean hasAccelerator();

    /** Resident host memory of this process, in bytes. */
    long hostResidentBytes();

    /** Total host memory, in bytes. */
    long hostTotalBytes();

    /** Free memory on the compute device in bytes, or -1 on the CPU. */
    long deviceFreeBytes();

    /**
     * A machine described without asking libtorch (tests and tools): {@code device}, whether it is an accelerator, and
     * no memory figures (0 bytes of host memory; -1, "unknown", free on the device).
     */
    static RuntimeInfo fixed(String device, boolean accelerator) {
        return new RuntimeInfo() {
            @Override
            public String device() {
                return device;
            }

            @Override
            public boolean hasAccelerator() {
                return accelerator;
            }

            @Override
            public long hostResidentBytes() {
                return 0;
            }

            @Override
            public long hostTotalBytes() {
                return 0;
            }

            @Override
            public long deviceFreeBytes() {
                return -1;
            }
        };
    }
}
