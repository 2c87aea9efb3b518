package dev.easel.runtime;

import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.bytedeco.pytorch.global.torch;

/**
 * Chooses the compute device: the first CUDA device when libtorch sees one, the CPU otherwise. The system property
 * {@value #PROPERTY} ({@code cpu}, {@code cuda}, {@code cuda:N}) overrides the choice; asking for a CUDA device that
 * is not there is an error rather than a silent fallback, so a misconfigured GPU host fails loudly at start.
 */
public final class DeviceSelector {

    /** System property that forces the device. */
    public static final String PROPERTY = "easel.device";

    private final BooleanSupplier cudaAvailable;
    private final IntSupplier cudaDeviceCount;

    /** A selector that asks libtorch about CUDA. */
    public DeviceSelector() {
        this(() -> {
            Torch.load();
            return torch.cuda_is_available();
        }, () -> {
            Torch.load();
            return torch.cuda_device_count();
        });
    }

    /** A selector with its own view of the CUDA devices (tests, or a launcher that already probed them). */
    public DeviceSelector(BooleanSupplier cudaAvailable, IntSupplier cudaDeviceCount) {
        this.cudaAvailable = cudaAvailable;
        this.cudaDeviceCount = cudaDeviceCount;
    }

    /** The device named by {@value #PROPERTY}, or the automatic choice when it is not set. */
    public ComputeDevice select() {
        return select(System.getProperty(PROPERTY));
    }

    /**
     * The device {@code requested} names, or the automatic choice when it is {@code null} or blank.
     *
     * @throws IllegalArgumentException when the spelling is unknown
     * @throws IllegalStateException    when a CUDA device is requested that libtorch does not see
     */
    public ComputeDevice select(String requested) {
        if (requested == null || requested.isBlank()) {
            return cudaAvailable.getAsBoolean() ? ComputeDevice.cuda(0) : ComputeDevice.CPU;
        }
        ComputeDevice device = ComputeDevice.parse(requested);
        if (device.isCuda()) {
            if (!cudaAvailable.getAsBoolean()) {
                throw new IllegalStateException(PROPERTY + "=" + requested + " but libtorch sees no CUDA device"
                        + " (is this the GPU build of libtorch, with CUDA and cuDNN installed?)");
            }
            int count = cudaDeviceCount.getAsInt();
            if (device.index() >= count) {
                throw new IllegalStateException(PROPERTY + "=" + requested + " but only " + count
                        + " CUDA device(s) exist (cuda:0.." + "cuda:" + (count - 1) + ")");
            }
        }
        return device;
    }
}
