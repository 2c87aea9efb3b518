package dev.easel.server.http;

import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.UnauthorizedResponse;
import java.net.URI;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;

/**
 * Runs before every request: stops cross-site requests from web pages (a browser page on another site must not be
 * able to queue jobs on a local server: an {@code Origin} whose host differs from the {@code Host} header, or
 * {@code Sec-Fetch-Site: cross-site}, is refused with 403, as ComfyUI does), and, when the server listens beyond the
 * loopback interface, requires the access token ({@code Authorization: Bearer <token>} or {@code ?token=}).
 */
public final class RequestGuard {

    private final String token;

    /** @param token the required access token, or null when none is required (loopback only) */
    public RequestGuard(String token) {
        this.token = token;
    }

    public void check(Context ctx) {
        if ("cross-site".equalsIgnoreCase(ctx.header("Sec-Fetch-Site"))) {
            throw new ForbiddenResponse("cross-site requests are refused");
        }
        String origin = ctx.header("Origin");
        if (origin != null && !origin.isBlank() && !"null".equals(origin)) {
            String originHost = hostOf(origin);
            String host = ctx.header("Host");
            if (originHost == null || host == null || !originHost.equalsIgnoreCase(host)) {
                throw new ForbiddenResponse("the Origin " + origin + " does not match the Host " + host);
            }
        }
        if (token != null && !constantTimeEquals(token, presentedToken(ctx))) {
            throw new UnauthorizedResponse("an access token is required (Authorization: Bearer <token>)");
        }
    }

    private static String presentedToken(Context ctx) {
        String auth = ctx.header("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.substring(7).trim();
        }
        return ctx.queryParam("token");
    }

    /** {@code host[:port]} of an Origin URL, or null when it is not one. */
    private static String hostOf(String origin) {
        try {
            URI uri = URI.create(origin);
            if (uri.getHost() == null) {
                return null;
            }
            return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean constantTimeEquals(String expected, String given) {
        if (given == null) {
            return false;
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }
}
