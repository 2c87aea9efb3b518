/**
 * The engine's {@link dev.easel.engine.cache.OutputCache}: {@link dev.easel.caching.TieredOutputCache}, a
 * content-addressed, byte-budgeted cache of node outputs in tiers (accelerator memory, host RAM, a separate budget for
 * loaded models, and a disk directory of safetensors files that survives restarts and can be shared by processes),
 * evicting by value: {@code bytes / (recompute seconds × (1 + hits))}, highest first.
 *
 * <p>Configure it with {@link dev.easel.caching.CacheSettings}. {@link dev.easel.caching.DeviceMover} is the one
 * device-specific part (which values live on the accelerator, and how to copy them to the host).
 */
package dev.easel.caching;
