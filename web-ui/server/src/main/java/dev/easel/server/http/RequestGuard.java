package dev.easel.server.http;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Runs before every request and every WebSocket upgrade, and refuses:
 *
 * <ul>
 *   <li>requests from web pages of other sites (a page on another site must not be able to queue jobs on, or read
 *       the history of, a local server): an {@code Origin} that is not {@code http(s)://} plus exactly the
 *       {@code Host} header (also {@code Origin: null}, which sandboxed frames and {@code file:} pages send), or
 *       {@code Sec-Fetch-Site: cross-site}: 403, as ComfyUI does. The content type is no defence here: curl and
 *       Python's urllib post JSON as {@code application/x-www-form-urlencoded} (ComfyUI's own API example does),
 *       while browsers always send {@code Origin} on a cross-site POST, and {@code Sec-Fetch-Site} on anything.
 *   <li>DNS rebinding (a page whose own name was made to resolve to 127.0.0.1, so it is same-origin to the browser):
 *       without an access token, the {@code Host} must be a loopback name ({@code localhost}, {@code *.localhost})
 *       or an IP literal, which a rebinding page cannot have. 403. A reverse proxy in front of a loopback server
 *       must therefore pass {@code Host} through as the upstream address (nginx's default) or use a token.
 *   <li>bodies whose declared {@code Content-Length} is above the limit: 413 at once, before any of it is read
 *       (chunked bodies are counted as they are read, by Javalin's {@code maxRequestSize}).
 *   <li>when the server requires an access token: requests without it ({@code Authorization: Bearer <token>}, or
 *       {@code ?token=} for browsers' WebSockets and {@code <img src>}): 401. Compared in constant time. The
 *       editor's own files (GET of a public path) need none: they are the same for everyone, and the page, opened
 *       with {@code ?token=}, sends the token on every API call it makes.
 * </ul>
 *
 * Refusals are {@code {"error": "..."}} JSON with the status.
 */
public final class RequestGuard {

    private final byte[] tokenDigest;
    private final long maxBodyBytes;
    private final Predicate<String> publicPath;

    /**
     * @param token        the required access token, or null when none is required (loopback only)
     * @param maxBodyBytes the largest request body taken
     */
    public RequestGuard(String token, long maxBodyBytes) {
        this(token, maxBodyBytes, path -> false);
    }

    /**
     * @param publicPath the paths whose GET needs no token (the editor's static files)
     */
    public RequestGuard(String token, long maxBodyBytes, Predicate<String> publicPath) {
        this.tokenDigest = token == null ? null : sha256(token);
        this.maxBodyBytes = maxBodyBytes;
        this.publicPath = publicPath;
    }

    /**
     * Checks a request or a WebSocket upgrade; after a refusal the response is written and the remaining handlers
     * (the route, or the upgrade) are skipped.
     */
    public void check(Context ctx) {
        Refusal refusal = refusal(ctx);
        if (refusal != null) {
            ctx.skipRemainingHandlers();
            ctx.status(refusal.status()).json(Map.of("error", refusal.message()));
        }
    }

    private record Refusal(HttpStatus status, String message) {
    }

    private Refusal refusal(Context ctx) {
        if ("cross-site".equalsIgnoreCase(ctx.header("Sec-Fetch-Site"))) {
            return new Refusal(HttpStatus.FORBIDDEN, "cross-site requests are refused (Sec-Fetch-Site: cross-site;"
                    + " no Origin is allowed but this server's own)");
        }
        String host = ctx.header("Host");
        String origin = ctx.header("Origin");
        if (origin != null && !sameOrigin(origin.trim(), host)) {
            return new Refusal(HttpStatus.FORBIDDEN, "the Origin " + origin + " does not match the Host " + host
                    + ": requests from other sites' pages are refused");
        }
        if (tokenDigest == null && host != null && !isLoopbackNameOrAddress(host.trim())) {
            return new Refusal(HttpStatus.FORBIDDEN, "the Host " + host + " is not a loopback name or an IP address"
                    + " (DNS rebinding?); use http://127.0.0.1 or http://localhost, or start the server with a token");
        }
        String length = ctx.header("Content-Length");
        if (length != null && tooLong(length.trim())) {
            return new Refusal(HttpStatus.CONTENT_TOO_LARGE, "the request body (Content-Length " + length
                    + ") is over the limit of " + maxBodyBytes + " bytes");
        }
        boolean publicFile = ctx.method() == HandlerType.GET && publicPath.test(ctx.path());
        if (tokenDigest != null && !publicFile && !MessageDigest.isEqual(tokenDigest, sha256(presentedToken(ctx)))) {
            return new Refusal(HttpStatus.UNAUTHORIZED,
                    "an access token is required (Authorization: Bearer <token>, or ?token=<token>)");
        }
        return null;
    }

    private boolean tooLong(String length) {
        if (!isDigits(length, 0, length.length())) {
            return false; // not a length at all: Jetty refuses it as a bad request
        }
        return length.length() > 18 || Long.parseLong(length) > maxBodyBytes;
    }

    /**
     * {@code localhost}, {@code name.localhost} (RFC 6761: always loopback), an IPv4 literal or a bracketed IPv6
     * literal, each with an optional port. (By hand rather than a regular expression: it runs on every request.)
     */
    static boolean isLoopbackNameOrAddress(String host) {
        String name = host;
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            return close > 1 && (close == host.length() - 1
                    || host.charAt(close + 1) == ':' && isDigits(host, close + 2, host.length()));
        }
        int colon = host.lastIndexOf(':');
        if (colon >= 0) {
            if (!isDigits(host, colon + 1, host.length())) {
                return false;
            }
            name = host.substring(0, colon);
        }
        if (name.equalsIgnoreCase("localhost") || name.regionMatches(true, name.length() - 10, ".localhost", 0, 10)
                && name.length() > 10) {
            return true;
        }
        int groups = 0;
        int start = 0;
        for (int i = 0; i <= name.length(); i++) {
            if (i == name.length() || name.charAt(i) == '.') {
                if (i - start < 1 || i - start > 3 || !isDigits(name, start, i)) {
                    return false;
                }
                groups++;
                start = i + 1;
            }
        }
        return groups == 4;
    }

    private static boolean isDigits(String s, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code origin} is {@code http(s)://} followed by exactly {@code host} (no user info, path or query). */
    private static boolean sameOrigin(String origin, String host) {
        if (host == null) {
            return false;
        }
        try {
            URI uri = new URI(origin);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return false;
            }
            if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
                    || !(uri.getRawPath() == null || uri.getRawPath().isEmpty())) {
                return false;
            }
            return uri.getRawAuthority() != null && uri.getRawAuthority().equalsIgnoreCase(host.trim());
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static String presentedToken(Context ctx) {
        String auth = ctx.header("Authorization");
        if (auth != null && auth.length() > 7 && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.substring(7).trim();
        }
        String query = ctx.queryParam("token");
        return query == null ? "" : query;
    }

    /** Digests first, so that the comparison takes the same time whatever the lengths and contents. */
    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
