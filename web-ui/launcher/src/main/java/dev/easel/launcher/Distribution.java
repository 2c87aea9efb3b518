package dev.easel.launcher;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The folders that ship next to the launcher jar, as the build lays them out in {@code web-ui/launcher/target}:
 * {@code plugins/} (the bundled node packs), {@code models/} (Easel's own default model, in ComfyUI's folder layout)
 * and {@code workflows/} (the example workflows, the default one, and the images they load from {@code input/}).
 * A system property {@code easel.bundled.<name>} names another folder (tests of a build's output).
 */
final class Distribution {

    static final String PLUGINS = "plugins";
    static final String MODELS = "models";
    static final String WORKFLOWS = "workflows";

    /** The workflow {@code easel run} runs without a file and the editor opens the first time. */
    static final String DEFAULT_WORKFLOW = "text-to-image.json";

    private Distribution() {
    }

    /** The system property that overrides where {@code name} is. */
    static String property(String name) {
        return "easel.bundled." + name;
    }

    /** The shipped folder {@code name}, when it exists. */
    static Optional<Path> folder(String name) {
        String configured = System.getProperty(property(name));
        if (configured != null && !configured.isBlank()) {
            Path dir = Path.of(configured);
            return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
        }
        try {
            Path code = Path.of(Distribution.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = (Files.isDirectory(code) ? code : code.getParent()).resolve(name);
            return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The default text-to-image workflow file, when the distribution has it. */
    static Optional<Path> defaultWorkflow() {
        return folder(WORKFLOWS).map(dir -> dir.resolve(DEFAULT_WORKFLOW)).filter(Files::isRegularFile);
    }
}
