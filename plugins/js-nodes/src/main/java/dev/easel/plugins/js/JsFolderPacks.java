package dev.easel.plugins.js;

import dev.easel.node.FolderPackLoader;
import dev.easel.node.NodePack;
import java.nio.file.Path;
import org.pf4j.Extension;

/**
 * Offers the plugin host the JavaScript packs: every folder of a plugins folder with a {@value JsPackManifest#FILE}
 * is read by {@link JsPackLoader} into the shared sandbox, and listed, enabled, disabled and reloaded like a plugin.
 */
@Extension
public final class JsFolderPacks implements FolderPackLoader {

    @Override
    public String manifestFile() {
        return JsPackManifest.FILE;
    }

    @Override
    public String packId(Path folder) throws JsPackException {
        return JsPackManifest.read(folder, JsSandbox.shared()).id();
    }

    @Override
    public NodePack load(Path folder) throws JsPackException {
        return new JsPackLoader().load(folder);
    }
}
