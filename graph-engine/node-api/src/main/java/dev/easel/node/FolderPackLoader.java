package dev.easel.node;

import java.nio.file.Path;
import org.pf4j.ExtensionPoint;

/**
 * Reads node packs that are not Java plugins: folders in a plugins folder marked by a manifest file this loader
 * understands (the JavaScript nodes' {@code easel-pack.json}, say). A plugin offers one as a PF4J extension; the
 * plugin host then gives it every such folder, registers the pack it returns, and lets people list, enable, disable
 * and reload those packs like plugins. While the plugin that offers the loader is stopped, its folder packs are too.
 */
public interface FolderPackLoader extends ExtensionPoint {

    /** The file name that marks a folder as one of this loader's packs, such as {@code "easel-pack.json"}. */
    String manifestFile();

    /**
     * The id of the pack in {@code folder}, read cheaply from its manifest without loading the pack (the host needs
     * it to honour a disabled pack without running any of its code).
     *
     * @throws Exception with a message that says what is wrong with the manifest
     */
    String packId(Path folder) throws Exception;

    /**
     * Loads the pack in {@code folder}. It should fail whole, with a message that names the file, node and input
     * where known, rather than return a pack with some nodes silently missing.
     *
     * @throws Exception with a message that says which part of the pack is wrong and why
     */
    NodePack load(Path folder) throws Exception;
}
