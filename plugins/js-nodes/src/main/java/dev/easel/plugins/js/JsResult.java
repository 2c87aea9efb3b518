package dev.easel.plugins.js;

/**
 * What a script returned, copied out of the sandbox as plain Java data: {@code Long}, {@code Double}, {@code String},
 * {@code Boolean}, {@code BigInteger} (integers beyond 64 bits), {@code null}, {@code List} and {@code Map}.
 *
 * @param value   the result
 * @param text    the result as text (strings as they are, objects as JSON), when asked for
 * @param truthy  JavaScript's truthiness of the result, when asked for
 * @param console what the script wrote to its console (bounded)
 */
public record JsResult(Object value, String text, boolean truthy, String console) {
}
