package dev.easel.engine.validation;

import dev.easel.node.InputSpec;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/** ComfyUI's link type rule (api-contract §5.5): equal, either is {@code *}, or comma unions that share a type. */
final class TypeMatching {

    private TypeMatching() {
    }

    static boolean matches(String received, String expected) {
        if (received.equals(expected) || InputSpec.ANY.equals(received) || InputSpec.ANY.equals(expected)) {
            return true;
        }
        if (!received.contains(",") && !expected.contains(",")) {
            return false;
        }
        Set<String> a = split(received);
        return split(expected).stream().anyMatch(a::contains);
    }

    private static Set<String> split(String union) {
        return Arrays.stream(union.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }
}
