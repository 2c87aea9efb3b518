package dev.easel.caching.disk;

/** A disk entry that must not be served: unreadable header, wrong key, or tensor bytes that fail their checksum. */
final class CorruptEntryException extends Exception {

    private static final long serialVersionUID = 1L;

    CorruptEntryException(String message) {
        super(message);
    }

    CorruptEntryException(String message, Throwable cause) {
        super(message, cause);
    }
}
