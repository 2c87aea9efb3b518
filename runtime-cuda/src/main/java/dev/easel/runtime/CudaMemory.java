package dev.easel.runtime;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.SizeTPair;
import org.bytedeco.pytorch.global.torch_cuda;

/**
 * Free and total memory of a CUDA device, as {@code cudaMemGetInfo} reports it through libtorch's CUDA allocator.
 *
 * <p>Kept apart from {@link MemoryStats} because loading {@code torch_cuda} needs the GPU natives: the JVM only loads
 * this class when a CUDA device is actually in use.
 */
final class CudaMemory {

    private CudaMemory() {
    }

    /** {@code [free, total]} bytes of device {@code index}. */
    static long[] freeAndTotal(int index) {
        try (PointerScope scope = new PointerScope()) {
            SizeTPair info = torch_cuda.getAllocator().getMemoryInfo((byte) index);
            return new long[] {info.first(), info.second()};
        }
    }
}
