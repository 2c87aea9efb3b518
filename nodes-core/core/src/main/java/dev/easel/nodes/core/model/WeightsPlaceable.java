package dev.easel.nodes.core.model;

import dev.easel.runtime.placement.Placeable;

/** A model whose placement is that of its {@link StateDict}: models read their weights by name per forward. */
public interface WeightsPlaceable extends Placeable {

    /** The model's weights. */
    StateDict weights();

    @Override
    default long weightBytes() {
        return weights().nativeBytes();
    }

    @Override
    default String device() {
        return weights().device();
    }

    /** Moves the weights (model placement); only while no forward runs. */
    @Override
    default void moveTo(String device) {
        weights().moveTo(device);
    }
}
