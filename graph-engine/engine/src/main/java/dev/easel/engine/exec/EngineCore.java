package dev.easel.engine.exec;

import dev.easel.engine.cache.OutputCache;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.node.Folders;
import dev.easel.node.RuntimeInfo;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.locks.ReentrantLock;

/** What every run of one engine shares. */
record EngineCore(NodeRegistry registry, OutputCache cache, RuntimeInfo runtime, Folders folders,
                  EngineSettings settings, ExecutorService pool, ReentrantLock acceleratorLock) {
}
