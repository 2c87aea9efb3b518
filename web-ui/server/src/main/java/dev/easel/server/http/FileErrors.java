package dev.easel.server.http;

import dev.easel.server.files.FileAccessException;
import io.javalin.http.Context;
import java.util.Map;

/** The {@code {"error": "..."}} bodies of the file routes ({@code /view}, {@code /upload/*}). */
final class FileErrors {

    private FileErrors() {
    }

    static void answer(Context ctx, FileAccessException e) {
        answer(ctx, e.status(), e.getMessage());
    }

    static void answer(Context ctx, int status, String message) {
        ctx.status(status).json(Map.of("error", message));
    }
}
