package dev.easel.server.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The Host rule against DNS rebinding: loopback names and IP literals only (the rest is in HttpSecurityTest). */
class RequestGuardTest {

    @Test
    void loopbackNamesAndAddressLiteralsPass() {
        for (String host : List.of("localhost", "localhost:8188", "LocalHost:1", "app.localhost:8188",
                "a.b.localhost", "127.0.0.1", "127.0.0.1:8188", "10.0.0.5:80", "0.0.0.0:8188", "[::1]",
                "[::1]:8188", "[fe80::1%25eth0]:80")) {
            assertTrue(RequestGuard.isLoopbackNameOrAddress(host), host);
        }
    }

    @Test
    void everyOtherNameFails() {
        for (String host : List.of("", "evil.example", "evil.example:8188", "127.0.0.1.nip.io", "127.0.0.1.nip.io:80",
                "localhost.evil.example", ".localhost", "evillocalhost", "localhost:", "localhost:abc",
                "localhost:80:80", "1.2.3", "1.2.3.4.5", "1234.1.1.1", "1..2.3", "1.2.3.4.", "[::1", "[::1]x",
                "[::1]:", "[]", "[]:80", "127.0.0.1:8188@evil.example")) {
            assertFalse(RequestGuard.isLoopbackNameOrAddress(host), host);
        }
    }
}
