package dev.easel.server.http;

import java.util.Locale;
import java.util.Map;

/** MIME types for {@code /view} by file extension, and which of them a browser could run as active content. */
final class MimeTypes {

    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
            Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"), Map.entry("webp", "image/webp"), Map.entry("bmp", "image/bmp"),
            Map.entry("tif", "image/tiff"), Map.entry("tiff", "image/tiff"), Map.entry("avif", "image/avif"),
            Map.entry("ico", "image/vnd.microsoft.icon"), Map.entry("svg", "image/svg+xml"),
            Map.entry("mp4", "video/mp4"), Map.entry("webm", "video/webm"), Map.entry("mov", "video/quicktime"),
            Map.entry("mkv", "video/x-matroska"), Map.entry("avi", "video/x-msvideo"),
            Map.entry("wav", "audio/wav"), Map.entry("mp3", "audio/mpeg"), Map.entry("flac", "audio/flac"),
            Map.entry("ogg", "audio/ogg"), Map.entry("opus", "audio/opus"), Map.entry("m4a", "audio/mp4"),
            Map.entry("json", "application/json"), Map.entry("txt", "text/plain"),
            Map.entry("glb", "model/gltf-binary"), Map.entry("gltf", "model/gltf+json"),
            Map.entry("html", "text/html"), Map.entry("htm", "text/html"), Map.entry("xhtml", "application/xhtml+xml"),
            Map.entry("js", "text/javascript"), Map.entry("mjs", "text/javascript"), Map.entry("css", "text/css"),
            Map.entry("xml", "application/xml"), Map.entry("xsl", "application/xml"));

    private MimeTypes() {
    }

    static String guess(String name) {
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return BY_EXTENSION.getOrDefault(ext, "application/octet-stream");
    }

    /** HTML, scripts, stylesheets, SVG and XML can carry script that would run in this server's origin. */
    static boolean isActive(String type) {
        return type.contains("html") || type.contains("javascript") || type.contains("css") || type.contains("svg")
                || type.contains("xml");
    }
}
