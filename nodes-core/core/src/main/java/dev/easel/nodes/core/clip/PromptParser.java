package dev.easel.nodes.core.clip;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * ComfyUI's prompt weighting syntax ({@code comfy/sd1_clip.py}: {@code escape_important}, {@code token_weights},
 * {@code parse_parentheses}), reimplemented:
 *
 * <ul>
 *   <li>{@code (text)} multiplies the weight by 1.1 per nesting level, in double precision (so {@code ((x))} is
 *       1.2100000000000002);</li>
 *   <li>{@code (text:w)} sets the weight to {@code w}, the text after the <em>last</em> colon, parsed like Python's
 *       {@code float()}; when that text is not a number the colon stays part of the text and the level counts ×1.1;
 *       </li>
 *   <li>{@code \(} and {@code \)} are literal parentheses;</li>
 *   <li>{@code [text]} is plain text (no de-emphasis); unbalanced parentheses are kept as text the way ComfyUI's
 *       scanner leaves them.</li>
 * </ul>
 *
 * <p>The result is the list of (segment, weight) pairs in order, segments unescaped; empty segments are kept (they
 * are dropped by the tokenizer).
 */
public final class PromptParser {

    /** A run of prompt text with one weight. */
    public record Segment(String text, double weight) {
        public Segment {
            Objects.requireNonNull(text, "text");
        }
    }

    // Stand-ins for escaped parentheses while parsing, as ComfyUI ("\0\1", "\0\2").
    private static final String ESC_CLOSE = "\0\1";
    private static final String ESC_OPEN = "\0\2";

    private PromptParser() {
    }

    /** The weighted segments of {@code prompt}, with escapes resolved. */
    public static List<Segment> parse(String prompt) {
        Objects.requireNonNull(prompt, "prompt");
        String escaped = prompt.replace("\\)", ESC_CLOSE).replace("\\(", ESC_OPEN);
        List<Segment> raw = new ArrayList<>();
        weights(escaped, 1.0, raw);
        List<Segment> out = new ArrayList<>(raw.size());
        for (Segment s : raw) {
            out.add(new Segment(s.text().replace(ESC_CLOSE, ")").replace(ESC_OPEN, "("), s.weight()));
        }
        return out;
    }

    private static void weights(String text, double current, List<Segment> out) {
        for (String item : splitTopLevel(text)) {
            if (item.length() >= 2 && item.charAt(0) == '(' && item.charAt(item.length() - 1) == ')') {
                String inner = item.substring(1, item.length() - 1);
                double weight = current * 1.1;
                int colon = inner.lastIndexOf(':');
                if (colon > 0) {
                    Double explicit = pythonFloat(inner.substring(colon + 1));
                    if (explicit != null) {
                        weight = explicit;
                        inner = inner.substring(0, colon);
                    }
                }
                weights(inner, weight, out);
            } else {
                out.add(new Segment(item, current));
            }
        }
    }

    /**
     * ComfyUI's {@code parse_parentheses}: splits into top-level parenthesised groups and the text between them. A
     * ')' that drives the depth below zero is ordinary text (and so is everything until the depth is back at 0).
     */
    private static List<String> splitTopLevel(String s) {
        List<String> result = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') {
                if (depth == 0) {
                    if (current.length() > 0) {
                        result.add(current.toString());
                    }
                    current.setLength(0);
                }
                current.append(c);
                depth++;
            } else if (c == ')') {
                depth--;
                if (depth == 0) {
                    result.add(current.append(')').toString());
                    current.setLength(0);
                } else {
                    current.append(c);
                }
            } else {
                current.append(c);
            }
        }
        if (current.length() > 0) {
            result.add(current.toString());
        }
        return result;
    }

    private static final Pattern DIGITS = Pattern.compile("[0-9](_?[0-9])*");
    private static final Pattern PY_FLOAT = Pattern.compile(
            "[+-]?(?:(?:D\\.(?:D)?|\\.D|D)(?:[eE][+-]?D)?|inf|infinity|nan)".replace("D", DIGITS.pattern()),
            Pattern.CASE_INSENSITIVE);

    /**
     * Python's {@code float(s)}, or null where Python raises: surrounding white space is ignored, digits may be
     * grouped with single underscores, any Unicode decimal digit counts, {@code inf}/{@code infinity}/{@code nan} in
     * any case. (Unlike {@link Double#parseDouble}, no {@code f}/{@code d} suffix and no hex.)
     */
    static Double pythonFloat(String s) {
        int begin = 0;
        int end = s.length();
        while (begin < end && ClipTokenizer.isPythonSpace(s.codePointAt(begin))) {
            begin += Character.charCount(s.codePointAt(begin));
        }
        while (end > begin && ClipTokenizer.isPythonSpace(s.codePointBefore(end))) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        StringBuilder ascii = new StringBuilder(end - begin);
        for (int i = begin; i < end; ) {
            int cp = s.codePointAt(i);
            int digit = cp < 128 ? -1 : Character.getType(cp) == Character.DECIMAL_DIGIT_NUMBER
                    ? Character.digit(cp, 10) : -1;
            if (digit >= 0) {
                ascii.append((char) ('0' + digit));
            } else if (cp < 128) {
                ascii.append((char) cp);
            } else {
                return null;
            }
            i += Character.charCount(cp);
        }
        String t = ascii.toString();
        if (!PY_FLOAT.matcher(t).matches()) {
            return null;
        }
        String lower = t.toLowerCase(java.util.Locale.ROOT);
        boolean negative = lower.startsWith("-");
        String body = lower.replaceFirst("^[+-]", "");
        if (body.equals("inf") || body.equals("infinity")) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (body.equals("nan")) {
            return Double.NaN;
        }
        return Double.parseDouble(t.replace("_", "")); // correctly rounded, like Python
    }
}
