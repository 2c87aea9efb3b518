package dev.easel.runtime;

import dev.easel.node.RuntimeInfo;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** The machine as nodes see it ({@link RuntimeInfo}): the chosen device, its compute dtype and memory figures. */
public final class TorchRuntime implements RuntimeInfo {

    private final ComputeDevice device;
    private final DtypePolicy dtypes;
    private final MemoryStats memory;

    public TorchRuntime(ComputeDevice device, DtypePolicy dtypes, MemoryStats memory) {
        this.device = device;
        this.dtypes = dtypes;
        this.memory = memory;
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
