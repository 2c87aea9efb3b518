package dev.easel.server.http;

import dev.easel.node.Folders;
import dev.easel.server.files.ConfinedFolder;
import dev.easel.server.files.FileAccessException;
import dev.easel.server.files.FolderType;
import dev.easel.server.images.ImageConversions;
import dev.easel.server.images.ImageConversions.Encoded;
import io.javalin.http.Context;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /view?filename=&type=&subfolder=&preview=&channel=}: a file from the output, input or temp folder, raw
 * (streamed, with a MIME type guessed from the name) or converted ({@code preview=webp;90}, {@code channel=rgb|a}).
 * Names are confined to their folder by {@link ConfinedFolder}.
 */
public final class ViewRoutes {

    private final Map<FolderType, ConfinedFolder> folders = new EnumMap<>(FolderType.class);

    public ViewRoutes(Folders folders) {
        for (FolderType t : FolderType.values()) {
            this.folders.put(t, new ConfinedFolder(t.folder(folders)));
        }
    }

    /** The confined folder for {@code type} (shared with the upload routes). */
    ConfinedFolder folder(FolderType type) {
        return folders.get(type);
    }

    public void view(Context ctx) {
        try {
            FolderType.Annotated annotated = FolderType.Annotated.parse(ctx.queryParam("filename"));
            FolderType type = annotated.type() != null ? annotated.type()
                    : FolderType.parse("type", ctx.queryParam("type"), FolderType.OUTPUT);
            String name = annotated.name();
            String channelParam = ctx.queryParam("channel");
            String channel = channel(channelParam);
            Path file = folders.get(type).existingFile("subfolder", ctx.queryParam("subfolder"), "filename", name);
            ctx.header("X-Content-Type-Options", "nosniff");
            String preview = ctx.queryParam("preview");
            if (preview != null) {
                send(ctx, name, preview(read(file, name), preview, channel,
                        channelParam != null && channelParam.contains("a")));
            } else if (channel.equals("rgb")) {
                send(ctx, name, ImageConversions.png(ImageConversions.withoutAlpha(read(file, name))));
            } else if (channel.equals("a")) {
                send(ctx, name, ImageConversions.png(ImageConversions.alphaOnly(read(file, name))));
            } else {
                raw(ctx, name, file);
            }
        } catch (FileAccessException e) {
            FileErrors.answer(ctx, e);
        }
    }

    private static BufferedImage read(Path file, String name) {
        return ImageConversions.read(file, "filename '" + name + "'");
    }

    /**
     * {@code preview=format;quality} after the channel selection: as ComfyUI, a format other than webp or jpeg, or a
     * {@code channel} parameter with an 'a' in it (rgba too), gives webp, and the quality defaults to 90.
     */
    private static Encoded preview(BufferedImage image, String preview, String channel, boolean alphaAsked) {
        String[] parts = preview.split(";", -1);
        String format = parts[0].toLowerCase(Locale.ROOT);
        if (!format.equals("jpeg") || alphaAsked) {
            format = "webp";
        }
        int quality = 90;
        String last = parts[parts.length - 1];
        if (!last.isEmpty() && last.length() <= 3 && last.chars().allMatch(Character::isDigit)) {
            quality = Integer.parseInt(last);
        }
        BufferedImage selected = switch (channel) {
            case "rgb" -> ImageConversions.withoutAlpha(image);
            case "a" -> ImageConversions.alphaOnly(image);
            default -> image;
        };
        return ImageConversions.preview(selected, format, quality);
    }

    private static String channel(String value) {
        if (value == null || value.isEmpty()) {
            return "rgba";
        }
        String c = value.toLowerCase(Locale.ROOT);
        if (c.equals("rgba") || c.equals("rgb") || c.equals("a")) {
            return c;
        }
        throw new FileAccessException(400, "channel must be rgba, rgb or a, not '" + value + "'");
    }

    private static void send(Context ctx, String name, Encoded image) {
        ctx.header("Content-Disposition", disposition(name, false));
        ctx.contentType(image.contentType()).result(image.bytes());
    }

    /** The file as it is, streamed; active content (HTML, scripts, SVG...) only ever as a download. */
    private static void raw(Context ctx, String name, Path file) {
        String type = MimeTypes.guess(name);
        boolean active = MimeTypes.isActive(type);
        if (active) {
            type = "application/octet-stream";
            ctx.header("Cache-Control", "no-store");
        }
        ctx.header("Content-Disposition", disposition(name, active));
        try {
            long size = Files.size(file);
            InputStream in = Files.newInputStream(file);
            ctx.writeSeekableStream(in, type, size);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** {@code filename="..."} with quotes and backslashes escaped (RFC 6266), plus {@code filename*} when not ASCII. */
    static String disposition(String name, boolean attachment) {
        StringBuilder ascii = new StringBuilder();
        boolean plain = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '"' || c == '\\') {
                ascii.append('\\').append(c);
            } else if (c < 0x20 || c >= 0x7f) {
                ascii.append('_');
                plain = false;
            } else {
                ascii.append(c);
            }
        }
        String value = (attachment ? "attachment; " : "") + "filename=\"" + ascii + "\"";
        if (!plain) {
            value += "; filename*=UTF-8''" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
        }
        return value;
    }
}
