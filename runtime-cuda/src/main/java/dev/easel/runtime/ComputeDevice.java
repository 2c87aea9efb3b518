package dev.easel.runtime;

import java.util.Locale;
import org.bytedeco.pytorch.Device;

/**
 * Where tensors are computed: the CPU or one CUDA device.
 *
 * @param kind  CPU or CUDA
 * @param index the CUDA device index (0 for the CPU)
 */
public record ComputeDevice(Kind kind, int index) {

    /** The device kinds Easel runs on. */
    public enum Kind { CPU, CUDA }

    public static final ComputeDevice CPU = new ComputeDevice(Kind.CPU, 0);

    public ComputeDevice {
        if (kind == null) {
            throw new IllegalArgumentException("device kind must not be null");
        }
        if (index < 0 || (kind == Kind.CPU && index != 0)) {
            throw new IllegalArgumentException("bad device index " + index + " for " + kind);
        }
    }

    public static ComputeDevice cuda(int index) {
        return new ComputeDevice(Kind.CUDA, index);
    }

    /**
     * Parses libtorch's spelling: {@code cpu}, {@code cuda} (device 0) or {@code cuda:N}.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static ComputeDevice parse(String spelling) {
        String s = spelling == null ? "" : spelling.trim().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) {
            return CPU;
        }
        if (s.equals("cuda")) {
            return cuda(0);
        }
        if (s.startsWith("cuda:")) {
            try {
                return cuda(Integer.parseInt(s.substring("cuda:".length())));
            } catch (IllegalArgumentException e) {
                // NumberFormatException and a negative index both land here.
            }
        }
        throw new IllegalArgumentException("unknown device '" + spelling + "': use cpu, cuda or cuda:N");
    }

    public boolean isCuda() {
        return kind == Kind.CUDA;
    }

    /** A new libtorch {@link Device}; the caller owns it (close it, or create it inside a PointerScope). */
    public Device newTorchDevice() {
        Torch.load();
        return new Device(toString());
    }

    /** libtorch's spelling: {@code cpu} or {@code cuda:N}. */
    @Override
    public String toString() {
        return isCuda() ? "cuda:" + index : "cpu";
    }
}
