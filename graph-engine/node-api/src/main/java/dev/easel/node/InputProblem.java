package dev.easel.node;

/**
 * A problem with one input found by {@link Node#validateInputs}.
 *
 * @param inputName the input's name
 * @param message   what is wrong, for a person: "file 'x.png' does not exist"
 */
public record InputProblem(String inputName, String message) {
}
