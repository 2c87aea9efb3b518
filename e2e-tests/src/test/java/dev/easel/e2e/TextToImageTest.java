package dev.easel.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.easel.launcher.EaselCli;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Text to image through the CLI on the tiny SD1.5-layout fixture checkpoint (CheckpointLoaderSimple → CLIPTextEncode
 * ×2 → EmptyLatentImage → KSampler → VAEDecode → SaveImage): the same seed gives the same pixels, another seed other
 * pixels, also with the output cache off.
 */
class TextToImageTest {

    @TempDir
    Path scratch;

    @Test
    void sameSeedSameImageOtherSeedOtherImage() throws Exception {
        Path data = scratch.resolve("data");
        RepoFiles.linkFixtureCheckpoints(data);
        int[] first = pixels(run(data, "a", "42"));
        int[] again = pixels(run(data, "b", "42"));
        int[] other = pixels(run(data, "c", "43"));
        assertArrayEquals(first, again, "same seed, same image");
        assertFalse(java.util.Arrays.equals(first, other), "another seed, another image");
    }

    private Path run(Path data, String name, String seed) throws IOException {
        Path workflow = RepoFiles.fixtureWorkflow();
        Path out = scratch.resolve(name);
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine cli = EaselCli.newCommandLine();
        cli.setOut(new PrintWriter(stdout, true));
        cli.setErr(new PrintWriter(stderr, true));
        int code = cli.execute("run", workflow.toString(), "--data-dir", data.toString(), "--out", out.toString(),
                "--no-cache", "--set", "3.seed=" + seed, "--set", "3.sampler_name=dpmpp_2m",
                "--set", "3.scheduler=karras");
        assertEquals(0, code, "exit " + code + "\n" + stdout + "\n" + stderr);
        List<Path> pngs;
        try (Stream<Path> files = Files.walk(out)) {
            pngs = files.filter(p -> p.toString().endsWith(".png")).toList();
        }
        assertEquals(1, pngs.size(), "one image written: " + pngs);
        return pngs.get(0);
    }

    private static int[] pixels(Path png) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(64, image.getWidth());
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }
}
