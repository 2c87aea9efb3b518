/**
 * A restricted pickle reader for {@code torch.save} files: {@link dev.easel.nodes.core.model.pickle.RestrictedUnpickler}
 * runs pickle opcodes in Java against an allow-list of constructors and executes no Python code.
 */
package dev.easel.nodes.core.model.pickle;
