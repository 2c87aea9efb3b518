package dev.easel.nodes.core.model.pickle;

/**
 * A storage referenced by a {@code torch.save} pickle through its persistent id
 * {@code ('storage', torch.<Type>Storage, key, location, numel)}: its bytes are the zip entry
 * {@code <archive>/data/<key>}, {@code numel * dtype.itemSize()} bytes long. Every reference to the same key in one
 * pickle is the same object, so tensors that share a storage in Python share it here.
 *
 * @param key the storage's key (the name of its zip entry under {@code data/})
 * @param dtype the element type of the storage ({@link TorchDtype#UINT8} for an untyped storage)
 * @param location the device it was saved from ({@code cpu}, {@code cuda:0}, ...); informational
 * @param numel the number of elements
 */
public record TorchStorageRef(String key, TorchDtype dtype, String location, long numel) {

    /** The storage's size in bytes. */
    public long byteSize() {
        return numel * dtype.itemSize();
    }
}
