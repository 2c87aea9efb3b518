package dev.easel.runtime;

import dev.easel.node.RuntimeInfo;
import dev.easel.runtime.placement.ModelPlacement;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The machine as nodes see it ({@link RuntimeInfo}): the chosen device, its compute dtype, memory figures, and the
 * placement of models on the device.
 */
public final class TorchRuntime implements RuntimeInfo {

    private final ComputeDevice device;
    private final DtypePolicy dtypes;
    private final MemoryStats memory;
    private final ModelPlacement placement;

    public TorchRuntime(ComputeDevice device, DtypePolicy dtypes, MemoryStats memory) {
        this.device = device;
        this.dtypes = dtypes;
        this.memory = memory;
        this.placement = new ModelPlacement(device.toString(), ComputeDevice.CPU.toString(), placementBudget());
    }

    /**
     * Weights may fill the accelerator up to its memory less a reserve for activations (a quarter, at least 1 GiB);
     * on the CPU nothing moves.
     */
    private long placementBudget() {
        long total = device.isCuda() ? memory.deviceTotalBytes(device) : -1;
        if (total <= 0) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, total - Math.max(total / 4, 1L << 30));
    }

    /** Where models live while nodes use them: shared by every node of this runtime. */
    public ModelPlacement placement() {
        return placement;
    }

    /** Loads libtorch and configures everything from the system properties ({@code easel.*}). */
    public static TorchRuntime fromSystemProperties() {
        Torch.load();
        return new TorchRuntime(new DeviceSelector().select(), DtypePolicy.fromSystemProperties(), new MemoryStats());
    }

    public ComputeDevice computeDevice() {
        return device;
    }

    /** The dtype model math runs in on this device. */
    public ScalarType computeDtype() {
        return dtypes.computeDtype(device);
    }

    @Override
    public String device() {
        return device.toString();
    }

    @Override
    public boolean hasAccelerator() {
        return device.isCuda();
    }

    @Override
    public long hostResidentBytes() {
        return memory.hostResidentBytes();
    }

    @Override
    public long hostTotalBytes() {
        return memory.hostTotalBytes();
    }

    @Override
    public long deviceFreeBytes() {
        return memory.deviceFreeBytes(device);
    }

    /** Total memory of the compute device in bytes, or -1 on the CPU. */
    public long deviceTotalBytes() {
        return memory.deviceTotalBytes(device);
    }

    @Override
    public String toString() {
        return "TorchRuntime[" + device + ", " + computeDtype() + "]";
    }
}
