package dev.easel.nodes.core.output;

/**
 * One PNG tEXt chunk: a keyword and Latin-1 text (PNG specification §11.3.4.3).
 *
 * @param keyword 1 to 79 printable Latin-1 characters
 * @param text    the text; Latin-1 only
 */
record TextChunk(String keyword, String text) {

    /** True for a valid tEXt keyword: 1-79 printable Latin-1, no leading, trailing or double space. */
    static boolean isValidKeyword(String keyword) {
        if (keyword.isEmpty() || keyword.length() > 79 || keyword.startsWith(" ") || keyword.endsWith(" ")
                || keyword.contains("  ")) {
            return false;
        }
        return keyword.chars().allMatch(c -> (c >= 32 && c <= 126) || (c >= 161 && c <= 255));
    }
}
