/**
 * Node packs as PF4J plugins: {@link dev.easel.engine.plugins.PluginHost} loads, lists, enables, disables and reloads
 * them at runtime; {@link dev.easel.engine.plugins.DevPackWatcher} reloads a pack under development when it is
 * rebuilt.
 */
package dev.easel.engine.plugins;
