package dev.easel.nodes.core.model.files;

import dev.easel.nodes.core.model.StateDict;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Reads model weight files into a {@link StateDict}: {@code .safetensors}/{@code .sft} and zip-format
 * {@code torch.save} files ({@code .ckpt}, {@code .pt}, {@code .pth}, {@code .bin}, ...), the latter through a
 * restricted unpickler that executes no code ({@link TorchCheckpoint}). The format is recognised from the file's
 * first bytes (the extension only decides for {@code .safetensors}/{@code .sft}).
 */
public final class CheckpointReader {

    /** What a file holds, judged from its first bytes. */
    public enum Format {
        SAFETENSORS,
        /** A zip archive, as {@code torch.save} writes since PyTorch 1.6. */
        TORCH_ZIP,
        /** A bare pickle stream or tar file, as {@code torch.save} wrote before PyTorch 1.6. */
        TORCH_LEGACY,
        UNKNOWN
    }

    private CheckpointReader() {
    }

    /**
     * Every tensor of {@code file}'s state dict, converted to {@code dtype} (copies; the file is not kept open or
     * mapped). For {@code torch.save} files the state dict is the top-level {@code "state_dict"} entry when present
     * (Lightning checkpoints), else the top-level dict (see {@link TorchCheckpoint#tensors()}).
     *
     * @throws CheckpointFormatException for truncated or corrupt files, missing or mis-sized storages, legacy
     *         (pre-1.6) {@code torch.save} files and unknown formats; the message names the file (and the tensor)
     * @throws dev.easel.nodes.core.model.pickle.PickleSecurityException when a pickle names a global outside the
     *         allow-list (nothing is executed)
     * @throws dev.easel.nodes.core.model.pickle.PickleException for a corrupt pickle
     */
    public static StateDict read(Path file, ScalarType dtype) throws IOException {
        switch (detectFormat(file)) {
            case SAFETENSORS:
                return StateDict.readSafetensors(file, dtype);
            case TORCH_ZIP:
                try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
                    return checkpoint.stateDict(dtype);
                }
            case TORCH_LEGACY:
                throw new CheckpointFormatException(file, null, "legacy (pre-1.6) torch.save format is not"
                        + " supported; re-save it with a current PyTorch (torch.save) or convert it to .safetensors");
            default:
                throw new CheckpointFormatException(file, null, "unrecognised file format: neither safetensors nor a"
                        + " torch.save checkpoint" + (Files.size(file) == 0 ? " (the file is empty)" : ""));
        }
    }

    /** Recognises the format of {@code file} from its extension ({@code .safetensors}, {@code .sft}) or first bytes. */
    public static Format detectFormat(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".safetensors") || name.endsWith(".sft")) {
            return Format.SAFETENSORS;
        }
        byte[] head = new byte[512];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 && head[3] == 4 || head[2] == 5 && head[3] == 6)) {
            return Format.TORCH_ZIP;
        }
        if (n >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5) {
            return Format.TORCH_LEGACY; // a pickle stream: protocol 2 magic number, then the legacy layout
        }
        if (n >= 262 && new String(head, 257, 5, java.nio.charset.StandardCharsets.US_ASCII).equals("ustar")) {
            return Format.TORCH_LEGACY; // the tar layout of PyTorch < 0.4
        }
        if (n >= 9 && head[8] == '{') {
            long headerLength = java.nio.ByteBuffer.wrap(head, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLength > 1 && headerLength < 100_000_000L) {
                return Format.SAFETENSORS;
            }
        }
        return Format.UNKNOWN;
    }
}
