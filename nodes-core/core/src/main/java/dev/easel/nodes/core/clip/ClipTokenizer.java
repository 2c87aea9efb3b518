package dev.easel.nodes.core.clip;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * CLIP's byte-level BPE tokenizer (Radford et al. 2021, "Learning Transferable Visual Models From Natural Language
 * Supervision", arXiv:2103.00020; vocabulary and algorithm of github.com/openai/CLIP {@code clip/simple_tokenizer.py}),
 * with the text clean-up of the transformers "slow" {@code CLIPTokenizer} when ftfy is not installed, which is what
 * ComfyUI runs:
 *
 * <ol>
 *   <li>{@code <|startoftext|>} / {@code <|endoftext|>} written literally in the text are the special tokens;</li>
 *   <li>clean-up of the other pieces (transformers' {@code BasicTokenizer} without accent stripping and without
 *       punctuation splitting): NUL, U+FFFD and every "C*" (control, format, surrogate, private-use, unassigned)
 *       character except tab/newline/carriage return is dropped; whitespace becomes a space; CJK ideographs get a
 *       space on each side; NFC; split on (Python) whitespace; each word lower-cased; words joined by one space;</li>
 *   <li>CLIP's pre-tokenizer regex ({@code 's 't 're 've 'm 'll 'd}, runs of letters, single digits, runs of other
 *       non-space characters; case-insensitive);</li>
 *   <li>each piece's UTF-8 bytes mapped to printable characters (CLIP's {@code bytes_to_unicode}), the last
 *       character marked with {@code </w>}, then merged by merge rank until no ranked pair is left.</li>
 * </ol>
 *
 * <p>The vocabulary is built from the merges the way openai/CLIP does (256 byte symbols, the same with {@code </w>},
 * one entry per merge, then the two special tokens: 49408 ids). The bundled merges file is openai/CLIP's
 * {@code bpe_simple_vocab_16e6.txt.gz} (MIT licence); it gives the same ids as the transformers
 * {@code vocab.json}/{@code merges.txt} pair ComfyUI ships.
 *
 * <p>Thread-safe; {@link #standard()} is shared.
 */
public final class ClipTokenizer {

    /** {@code <|startoftext|>}. */
    public static final int BOS = 49406;
    /** {@code <|endoftext|>}, also SD1's padding token. */
    public static final int EOS = 49407;
    /** Number of ids. */
    public static final int VOCAB_SIZE = 49408;

    static final String START_TEXT = "<|startoftext|>";
    static final String END_TEXT = "<|endoftext|>";
    private static final String END_OF_WORD = "</w>";
    /** Merges used: lines 1 .. 49152-256-2 of the file (line 0 is a header), as openai/CLIP and transformers. */
    private static final int MERGE_COUNT = 49152 - 256 - 2;
    private static final String BUNDLED = "bpe_simple_vocab_16e6.txt.gz";
    private static final int MAX_CACHE = 100_000;

    /**
     * CLIP's pre-tokenizer pattern. {@code \p{L}} / {@code \p{N}} are the Unicode general categories L* / N* as in
     * the Python {@code regex} module; {@code \s} is Unicode white space (UNICODE_CHARACTER_CLASS); the whole pattern
     * is case-insensitive with Unicode case folding, as {@code re.IGNORECASE} there.
     */
    private static final Pattern PIECES = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);

    private static volatile ClipTokenizer standard;

    private final Map<String, Integer> encoder;
    private final String[] decoder;
    /** Merge rank by pair, keyed {@code first + ' ' + second} (no symbol contains a space). */
    private final Map<String, Integer> ranks;
    private final String[] byteToChar = bytesToUnicode();
    private final Map<String, String[]> cache = new ConcurrentHashMap<>();

    private ClipTokenizer(List<String[]> merges) {
        Map<String, Integer> enc = new HashMap<>(VOCAB_SIZE * 2);
        List<String> vocab = new ArrayList<>(VOCAB_SIZE);
        // openai/CLIP lists the byte symbols in the order of bytes_to_unicode's dict: the printable bytes first, then
        // the remapped ones, which is ascending order of the symbol characters.
        String[] symbols = byteToChar.clone();
        Arrays.sort(symbols);
        vocab.addAll(Arrays.asList(symbols));
        for (String c : symbols) {
            vocab.add(c + END_OF_WORD);
        }
        Map<String, Integer> rank = new HashMap<>(merges.size() * 2);
        for (String[] m : merges) {
            rank.put(m[0] + " " + m[1], rank.size());
            vocab.add(m[0] + m[1]);
        }
        vocab.add(START_TEXT);
        vocab.add(END_TEXT);
        for (int i = 0; i < vocab.size(); i++) {
            enc.put(vocab.get(i), i);
        }
        if (vocab.size() != VOCAB_SIZE || enc.get(START_TEXT) != BOS || enc.get(END_TEXT) != EOS) {
            throw new IllegalArgumentException("unexpected CLIP vocabulary: " + vocab.size() + " entries");
        }
        this.encoder = Collections.unmodifiableMap(enc);
        this.decoder = vocab.toArray(new String[0]);
        this.ranks = Collections.unmodifiableMap(rank);
        cache.put(START_TEXT, new String[] {START_TEXT});
        cache.put(END_TEXT, new String[] {END_TEXT});
    }

    /** The tokenizer with the bundled openai/CLIP merges (loaded once per JVM). */
    public static ClipTokenizer standard() {
        ClipTokenizer t = standard;
        if (t == null) {
            synchronized (ClipTokenizer.class) {
                t = standard;
                if (t == null) {
                    try (InputStream in = ClipTokenizer.class.getResourceAsStream(BUNDLED)) {
                        if (in == null) {
                            throw new IllegalStateException("resource " + BUNDLED + " is missing from the jar");
                        }
                        t = fromBpeGz(in);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read the bundled CLIP merges", e);
                    }
                    standard = t;
                }
            }
        }
        return t;
    }

    /** A tokenizer from an openai/CLIP style gzip merges file ({@code bpe_simple_vocab_16e6.txt.gz}). */
    public static ClipTokenizer fromBpeGz(InputStream gz) throws IOException {
        return fromMerges(new GZIPInputStream(gz));
    }

    /**
     * A tokenizer from a plain merges text (first line a header, then one {@code "a b"} pair per line; the
     * transformers {@code merges.txt} works too, since the vocabulary it implies equals its {@code vocab.json}).
     */
    public static ClipTokenizer fromMerges(InputStream text) throws IOException {
        List<String[]> merges = new ArrayList<>(MERGE_COUNT);
        BufferedReader r = new BufferedReader(new InputStreamReader(text, StandardCharsets.UTF_8));
        String line = r.readLine(); // header
        while (line != null && merges.size() < MERGE_COUNT && (line = r.readLine()) != null) {
            String[] pair = line.split(" ");
            if (pair.length != 2) {
                throw new IOException("bad merge line " + (merges.size() + 2) + ": '" + line + "'");
            }
            merges.add(pair);
        }
        if (merges.size() != MERGE_COUNT) {
            throw new IOException("expected " + MERGE_COUNT + " merges, found " + merges.size());
        }
        return new ClipTokenizer(merges);
    }

    /** The ids of {@code text} without BOS/EOS (transformers' {@code tokenizer(text)["input_ids"][1:-1]}). */
    public int[] encode(String text) {
        List<String> pieces = tokens(text);
        int[] ids = new int[pieces.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = encoder.getOrDefault(pieces.get(i), EOS); // unknown → unk = <|endoftext|> (cannot happen)
        }
        return ids;
    }

    /** BOS, the ids of {@code text}, EOS: the plain tokenizer call, neither padded nor truncated. */
    public int[] tokenize(String text) {
        int[] body = encode(text);
        int[] out = new int[body.length + 2];
        out[0] = BOS;
        System.arraycopy(body, 0, out, 1, body.length);
        out[out.length - 1] = EOS;
        return out;
    }

    /** The BPE token strings of {@code text} (for example {@code "cat</w>"}), without BOS/EOS. */
    public List<String> tokens(String text) {
        Objects.requireNonNull(text, "text");
        List<String> out = new ArrayList<>();
        // Literal special tokens are split off first, as transformers' added-token trie does.
        int pos = 0;
        while (pos <= text.length()) {
            int s = text.indexOf(START_TEXT, pos);
            int e = text.indexOf(END_TEXT, pos);
            int next = s < 0 ? e : e < 0 ? s : Math.min(s, e);
            if (next < 0) {
                bpePieces(text.substring(pos), out);
                break;
            }
            bpePieces(text.substring(pos, next), out);
            String special = next == s ? START_TEXT : END_TEXT;
            out.add(special);
            pos = next + special.length();
        }
        return out;
    }

    /** The token string of {@code id}. */
    public String tokenString(int id) {
        return decoder[id];
    }

    /** The id of token string {@code token}, or -1. */
    public int id(String token) {
        return encoder.getOrDefault(token, -1);
    }

    private void bpePieces(String text, List<String> out) {
        if (text.isEmpty()) {
            return;
        }
        Matcher m = PIECES.matcher(cleanText(text));
        while (m.find()) {
            String piece = m.group();
            String[] merged = cache.get(piece);
            if (merged == null) {
                byte[] utf8 = piece.getBytes(StandardCharsets.UTF_8);
                StringBuilder mapped = new StringBuilder(utf8.length);
                for (byte b : utf8) {
                    mapped.append(byteToChar[b & 0xff]);
                }
                merged = bpe(mapped.toString());
                if (cache.size() >= MAX_CACHE) {
                    cache.clear(); // crude bound; the specials are put back
                    cache.put(START_TEXT, new String[] {START_TEXT});
                    cache.put(END_TEXT, new String[] {END_TEXT});
                }
                cache.put(piece, merged);
            }
            out.addAll(Arrays.asList(merged));
        }
    }

    /** Merges the symbols of one byte-mapped piece (each char is one symbol; the last one carries {@code </w>}). */
    private String[] bpe(String word) {
        List<String> symbols = new ArrayList<>(word.length());
        for (int i = 0; i < word.length(); i++) {
            symbols.add(String.valueOf(word.charAt(i)));
        }
        int last = symbols.size() - 1;
        symbols.set(last, symbols.get(last) + END_OF_WORD);
        while (symbols.size() > 1) {
            int best = Integer.MAX_VALUE;
            String first = null;
            String second = null;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer r = ranks.get(symbols.get(i) + " " + symbols.get(i + 1));
                if (r != null && r < best) {
                    best = r;
                    first = symbols.get(i);
                    second = symbols.get(i + 1);
                }
            }
            if (first == null) {
                break;
            }
            // Merge every occurrence of the best pair, left to right, without overlaps.
            List<String> next = new ArrayList<>(symbols.size());
            for (int i = 0; i < symbols.size(); i++) {
                if (i + 1 < symbols.size() && symbols.get(i).equals(first) && symbols.get(i + 1).equals(second)) {
                    next.add(first + second);
                    i++;
                } else {
                    next.add(symbols.get(i));
                }
            }
            symbols = next;
        }
        return symbols.toArray(new String[0]);
    }

    /**
     * transformers' {@code BasicTokenizer(do_lower_case=True, strip_accents=False, do_split_on_punc=False)} followed
     * by {@code " ".join(...)}: the text CLIP's regex runs on.
     */
    static String cleanText(String text) {
        StringBuilder cleaned = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(cp -> {
            if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                return;
            }
            if (isWhitespace(cp)) {
                cleaned.append(' ');
            } else if (isCjk(cp)) {
                cleaned.append(' ').appendCodePoint(cp).append(' ');
            } else {
                cleaned.appendCodePoint(cp);
            }
        });
        String nfc = Normalizer.normalize(cleaned, Normalizer.Form.NFC);
        StringBuilder out = new StringBuilder(nfc.length());
        for (String word : pythonSplit(nfc)) {
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(word.toLowerCase(Locale.ROOT));
        }
        return out.toString();
    }

    /** transformers' {@code _is_control}: category C*, except tab, newline and carriage return. */
    private static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
                || type == Character.PRIVATE_USE || type == Character.UNASSIGNED;
    }

    /** transformers' {@code _is_whitespace}: space, tab, newline, carriage return, or category Zs. */
    private static boolean isWhitespace(int cp) {
        return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r'
                || Character.getType(cp) == Character.SPACE_SEPARATOR;
    }

    /** The CJK ideograph blocks of transformers' {@code _is_chinese_char} (not kana or hangul). */
    private static boolean isCjk(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    /** Python's {@code str.isspace()} for one code point. */
    static boolean isPythonSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    /** Python's {@code str.split()} (no argument): runs of white space separate, no empty words. */
    static List<String> pythonSplit(String s) {
        List<String> words = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (isPythonSpace(cp)) {
                if (start >= 0) {
                    words.add(s.substring(start, i));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
            i += Character.charCount(cp);
        }
        if (start >= 0) {
            words.add(s.substring(start));
        }
        return words;
    }

    /**
     * CLIP's reversible byte → printable character table: the printable Latin-1 bytes map to themselves, the other
     * 68 bytes to U+0100 onwards in byte order.
     */
    private static String[] bytesToUnicode() {
        String[] table = new String[256];
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? String.valueOf((char) b) : String.valueOf((char) (256 + extra++));
        }
        return table;
    }
}
