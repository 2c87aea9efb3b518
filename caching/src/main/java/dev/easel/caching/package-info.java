/**
 * Implementations of the engine's {@link dev.easel.engine.cache.OutputCache}: the content-addressed, byte-budgeted,
 * tiered cache of node outputs (accelerator, host RAM, disk) is built here by the caching issue. The engine only
 * depends on the interface; until this module provides an implementation, runs use
 * {@link dev.easel.engine.cache.OutputCache#NONE}.
 */
package dev.easel.caching;
