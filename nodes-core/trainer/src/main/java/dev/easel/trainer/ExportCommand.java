package dev.easel.trainer;

import dev.easel.runtime.Torch;
import dev.easel.trainer.train.CheckpointExport;
import dev.easel.trainer.train.Checkpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code easel train export}: writes the EMA weights as one fp16 SD1.x checkpoint. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write the trained model as one fp16 SD1.x .safetensors (step 3 of 3).")
public final class ExportCommand implements Callable<Integer> {

    @Option(names = "--unet", description = "The UNet run's checkpoint folder (default: nodes-core/trainer/target/train/unet).")
    Path unetDir = TrainOptions.defaultDir("unet");

    @Option(names = "--out", description = "The checkpoint file to write (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("nodes-core", "trainer", "target", "train", "easel-tiny-sd1.safetensors");

    @Override
    public Integer call() throws Exception {
        Torch.load();
        Path checkpoint = Checkpoints.latest(unetDir)
                .orElseThrow(() -> new IllegalArgumentException("no UNet checkpoint in " + unetDir));
        double scale = CheckpointExport.export(checkpoint, out);
        System.out.printf("wrote %s (%,d bytes; trained latent scale %.5f folded into the quant convs)%n", out,
                Files.size(out), scale);
        return 0;
    }
}
