package dev.easel.runtime.placement;

/** A model whose weights can move between devices (the compute device and the offload device). */
public interface Placeable {

    /** The bytes its weights take on a device. */
    long weightBytes();

    /** Where its weights are now, in libtorch's spelling ({@code "cpu"}, {@code "cuda:0"}). */
    String device();

    /** Moves the weights to {@code device}; a no-op when they are already there. */
    void moveTo(String device);
}
