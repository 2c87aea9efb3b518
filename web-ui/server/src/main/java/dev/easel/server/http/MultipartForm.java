package dev.easel.server.http;

import dev.easel.server.files.FileAccessException;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;

/**
 * A multipart/form-data request body with one required file part. Parsing problems become clear errors: 413 when
 * the body is larger than the limit (by its Content-Length, or as Jetty finds while reading it), 400 when it is not
 * multipart or is malformed, or when the file part is missing.
 */
final class MultipartForm {

    private final Context ctx;
    private final UploadedFile file;

    private MultipartForm(Context ctx, UploadedFile file) {
        this.ctx = ctx;
        this.file = file;
    }

    static MultipartForm read(Context ctx, String filePart, long maxBytes) {
        if (ctx.req().getContentLengthLong() > maxBytes) {
            throw tooLarge(ctx, maxBytes);
        }
        if (!ctx.isMultipartFormData()) {
            throw new FileAccessException(400, "the body must be multipart/form-data with a file part '" + filePart
                    + "'");
        }
        UploadedFile file;
        try {
            file = ctx.uploadedFile(filePart);
        } catch (Exception e) { // Jetty's ServletException comes through undeclared
            // the rest of the body is left unread, so Jetty will close the connection: say so, or a client may
            // send its next request on a connection that is going away
            ctx.header("Connection", "close");
            if (isSizeLimit(e)) {
                throw tooLarge(ctx, maxBytes);
            }
            throw new FileAccessException(400, "the multipart body cannot be parsed: " + rootMessage(e));
        }
        if (file == null) {
            throw new FileAccessException(400, "the multipart field '" + filePart + "' (a file) is missing");
        }
        return new MultipartForm(ctx, file);
    }

    UploadedFile file() {
        return file;
    }

    /** A text field, or null when absent (the parts are parsed already, so this cannot fail). */
    String field(String name) {
        return ctx.formParam(name);
    }

    private static FileAccessException tooLarge(Context ctx, long maxBytes) {
        ctx.header("Connection", "close");
        return new FileAccessException(413, "the upload is larger than the server's limit of " + maxBytes
                + " bytes");
    }

    private static boolean isSizeLimit(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
            if (m.contains("exceed") || m.contains("too large")) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }
}
