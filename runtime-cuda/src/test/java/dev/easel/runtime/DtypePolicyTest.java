package dev.easel.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DtypePolicyTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty(DtypePolicy.CUDA_PROPERTY);
    }

    @Test
    void float32OnCpuHalfOnCuda() {
        DtypePolicy policy = DtypePolicy.fromSystemProperties();
        assertEquals(ScalarType.Float, policy.computeDtype(ComputeDevice.CPU));
        assertEquals(ScalarType.Half, policy.computeDtype(ComputeDevice.cuda(0)));
    }

    @Test
    void cudaDtypeIsConfigurableButCpuStaysFloat32() {
        System.setProperty(DtypePolicy.CUDA_PROPERTY, "bf16");
        DtypePolicy policy = DtypePolicy.fromSystemProperties();
        assertEquals(ScalarType.BFloat16, policy.computeDtype(ComputeDevice.cuda(1)));
        assertEquals(ScalarType.Float, policy.computeDtype(ComputeDevice.CPU));
        System.setProperty(DtypePolicy.CUDA_PROPERTY, "int8");
        assertThrows(IllegalArgumentException.class, DtypePolicy::fromSystemProperties);
    }
}
