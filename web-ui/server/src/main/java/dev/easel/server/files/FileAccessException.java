package dev.easel.server.files;

/**
 * A request for a file that is refused or cannot be met, with the HTTP status to answer (400 bad name or parameter,
 * 403 outside the folder, 404 missing, 413 too large) and a message that names the parameter and the reason.
 */
public final class FileAccessException extends RuntimeException {

    private final int status;

    public FileAccessException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    static FileAccessException badRequest(String message) {
        return new FileAccessException(400, message);
    }

    static FileAccessException forbidden(String message) {
        return new FileAccessException(403, message);
    }

    static FileAccessException notFound(String message) {
        return new FileAccessException(404, message);
    }
}
