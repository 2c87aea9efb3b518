package dev.easel.nodes.core.output;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Writes PNGs with tEXt chunks and a zlib compression level, through the JDK's own PNG writer. */
final class PngWriter {

    private static final String PNG_METADATA_FORMAT = "javax_imageio_png_1.0";

    private PngWriter() {
    }

    /**
     * @param compressLevel zlib level 0-9 (ComfyUI: 4 for saved images, 1 for previews)
     */
    static void write(BufferedImage image, List<TextChunk> text, int compressLevel, OutputStream out)
            throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            // The JDK writer maps quality q to zlib level 9 - round(9q).
            param.setCompressionQuality((9 - compressLevel) / 9f);
            param.setProgressiveMode(ImageWriteParam.MODE_DISABLED);
            IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image),
                    param);
            if (!text.isEmpty()) {
                metadata.mergeTree(PNG_METADATA_FORMAT, textTree(text));
            }
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, metadata), param);
        } finally {
            writer.dispose();
        }
    }

    private static IIOMetadataNode textTree(List<TextChunk> chunks) {
        IIOMetadataNode text = new IIOMetadataNode("tEXt");
        for (TextChunk chunk : chunks) {
            IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
            entry.setAttribute("keyword", chunk.keyword());
            entry.setAttribute("value", chunk.text());
            text.appendChild(entry);
        }
        IIOMetadataNode root = new IIOMetadataNode(PNG_METADATA_FORMAT);
        root.appendChild(text);
        return root;
    }
}
