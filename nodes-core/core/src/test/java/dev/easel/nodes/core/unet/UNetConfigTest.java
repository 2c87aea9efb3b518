package dev.easel.nodes.core.unet;

import static dev.easel.nodes.core.unet.UnetFixtures.UNET_PREFIX;
import static dev.easel.nodes.core.unet.UnetFixtures.assertMatchesComfy;
import static dev.easel.nodes.core.unet.UnetFixtures.readKeysTsv;
import static dev.easel.nodes.core.unet.UnetFixtures.unetConfigJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.easel.nodes.core.model.StateDict;
import dev.easel.runtime.Torch;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UNetConfigTest {

    @Test
    void detectsTheTinySd15Checkpoint() throws Exception {
        Torch.load();
        StateDict all = StateDict.readSafetensors(UnetFixtures.root().resolve("sd15_tiny_s1234_f16.safetensors"),
                org.bytedeco.pytorch.global.torch.ScalarType.Float);
        StateDict unet = all.withPrefix(UNET_PREFIX);
        try {
            UNetConfig config = UNetConfig.fromStateDict(unet);
            assertMatchesComfy(unetConfigJson("sd15_configs.json", "tiny"), config);
            assertEquals(Set.of(0, 1, 2), config.attentionLevels());
            assertEquals(12, config.inputBlockCount());
            assertEquals(12, config.outputBlockCount());
            assertEquals(4, config.headDim(32)); // 8 heads on 32 channels
        } finally {
            unet.release();
            all.release();
        }
    }

    @Test
    void detectsRealSd15FromItsKeyManifest() {
        ShapeSource shapes = readKeysTsv("sd15_keys.tsv").withPrefix(UNET_PREFIX);
        assertEquals(686, shapes.keys().size());
        UNetConfig config = UNetConfig.fromStateDict(shapes);
        assertMatchesComfy(unetConfigJson("sd15_configs.json", "full"), config);
        assertEquals(40, config.headDim(320));
        assertEquals(160, config.headDim(1280));
    }

    @Test
    void detectsRealSd21AndSdxlWithTheDefaultHeadRule() {
        UNetConfig sd2 = UNetConfig.fromStateDict(readKeysTsv("sd2/sd2_keys.tsv").withPrefix(UNET_PREFIX));
        assertMatchesComfy(unetConfigJson("sd2/sd2_configs.json", "full"), sd2);
        UNetConfig xl = UNetConfig.fromStateDict(readKeysTsv("sdxl/sdxl_keys.tsv").withPrefix(UNET_PREFIX));
        assertMatchesComfy(unetConfigJson("sdxl/sdxl_configs.json", "full"), xl);
        assertEquals(Set.of(1, 2), xl.attentionLevels());
        assertEquals(20, xl.heads(1280));
    }

    @Test
    void tinySd2AndSdxlNeedTheirHeadWidth() {
        UNetConfig sd2 = UNetConfig.fromStateDict(readKeysTsvOf("sd2/sd2_tiny_s2101_f16.safetensors"),
                UNetConfig.Heads.width(16));
        assertMatchesComfy(unetConfigJson("sd2/sd2_configs.json", "tiny"), sd2);
        UNetConfig xl = UNetConfig.fromStateDict(readKeysTsvOf("sdxl/sdxl_tiny_s2301_f16.safetensors"),
                UNetConfig.Heads.width(8));
        assertMatchesComfy(unetConfigJson("sdxl/sdxl_configs.json", "tiny"), xl);
    }

    @Test
    void rejectsWhatIsNotAUnet() {
        assertThrows(IllegalArgumentException.class,
                () -> UNetConfig.fromStateDict(ShapeSource.of(Map.of("foo.weight", new long[] {3}))));
        assertThrows(IllegalArgumentException.class, () -> UNetConfig.Heads.count(-1));
    }

    /** Shapes of a safetensors file's UNet, read from its header only (no tensors). */
    private static ShapeSource readKeysTsvOf(String checkpoint) {
        try (var file = dev.easel.runtime.safetensors.SafetensorsFile.open(UnetFixtures.root().resolve(checkpoint))) {
            Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
            for (String name : file.names()) {
                shapes.put(name, file.info(name).shape());
            }
            return ShapeSource.of(shapes).withPrefix(UNET_PREFIX);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
