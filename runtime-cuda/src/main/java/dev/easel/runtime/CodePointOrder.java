package dev.easel.runtime;

import java.util.Comparator;

/**
 * Orders strings by Unicode code point, as Python's {@code str} and Rust's {@code str} (UTF-8 bytes) do. Java's
 * {@link String#compareTo} compares UTF-16 units, which differs for characters above U+FFFF.
 */
public final class CodePointOrder {

    public static final Comparator<String> INSTANCE = CodePointOrder::compare;

    private CodePointOrder() {
    }

    public static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
